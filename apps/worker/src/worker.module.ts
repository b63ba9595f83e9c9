import { type DynamicModule, Module } from '@nestjs/common';
import { AdminModule, type AdminModuleOptions } from '@sluice/admin';
import { WorkerLifecycle } from './worker-lifecycle.js';
import type { WorkerRuntime } from './worker-runtime.js';

/** The standalone worker's Nest application: the admin API over a running WorkerRuntime. */
@Module({})
export class WorkerModule {
  static register(runtime: WorkerRuntime, admin: AdminModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [AdminModule.forRoot(admin)],
      providers: [{ provide: WorkerLifecycle, useValue: new WorkerLifecycle(runtime) }],
    };
  }
}
