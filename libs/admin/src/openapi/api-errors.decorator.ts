import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_SCHEMA } from './schemas.js';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request (the message lists every problem)',
  401: 'Missing or wrong credentials',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  500: 'Internal error',
};

/** Documents error answers, all in Kafka Connect's {error_code, message} shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', schema: ERROR_SCHEMA }),
    ),
  );
}
