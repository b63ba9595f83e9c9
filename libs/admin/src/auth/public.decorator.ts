import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'sluice:admin:public';

/** Marks a route the auth guard lets through without credentials (only /health). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
