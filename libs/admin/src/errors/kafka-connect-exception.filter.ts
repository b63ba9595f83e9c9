import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LoggerLevels } from '../loggers/logger-levels.js';
import { type RestErrorBody, toRestError } from './rest-error.js';

/**
 * Answers every error, whether thrown by a controller, a guard, the router (unknown route) or the
 * body parser, with Kafka Connect's `{ "error_code": <status>, "message": "..." }`.
 */
@Catch()
export class KafkaConnectExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(LoggerLevels) private readonly loggers: LoggerLevels,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    const error = toRestError(exception);
    if (error.status >= 500) {
      this.loggers.logger('sluice.rest').error({ err: exception }, `request failed: ${error.message}`);
    }
    if (adapter.isHeadersSent(response)) return;
    for (const [name, value] of Object.entries(error.headers)) adapter.setHeader(response, name, value);
    const body: RestErrorBody = { error_code: error.status, message: error.message };
    adapter.reply(response, body, error.status);
  }
}
