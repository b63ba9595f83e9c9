import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, NotFoundException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LoggerLevels } from '../loggers/logger-levels.js';
import { type RestError, type RestErrorBody, toRestError } from './rest-error.js';
import { RouteMethods } from './route-methods.js';

/**
 * Answers every error, whether thrown by a controller, a guard, the router (unknown route) or the
 * body parser, with Kafka Connect's `{ "error_code": <status>, "message": "..." }`.
 */
@Catch()
export class KafkaConnectExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(LoggerLevels) private readonly loggers: LoggerLevels,
    @Inject(RouteMethods) private readonly routes: RouteMethods,
  ) {}

  /** The router found no route: a path known under other methods answers 405, as Kafka Connect does. */
  private methodNotAllowed(exception: unknown, host: ArgumentsHost): RestError | null {
    if (!(exception instanceof NotFoundException) || !/^Cannot [A-Z]+ \//.test(exception.message))
      return null;
    const request = host.switchToHttp().getRequest<{ method: string; url: string }>();
    const allowed = this.routes.allowed(request.url.split('?')[0] ?? '');
    if (allowed.length === 0 || allowed.includes(request.method)) return null;
    return { status: 405, message: 'HTTP 405 Method Not Allowed', headers: { allow: allowed.join(', ') } };
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response: unknown = host.switchToHttp().getResponse();
    const error = this.methodNotAllowed(exception, host) ?? toRestError(exception);
    if (error.status >= 500) {
      this.loggers.logger('sluice.rest').error({ err: exception }, `request failed: ${error.message}`);
    }
    if (adapter.isHeadersSent(response)) return;
    for (const [name, value] of Object.entries(error.headers)) adapter.setHeader(response, name, value);
    const body: RestErrorBody = { error_code: error.status, message: error.message };
    adapter.reply(response, body, error.status);
  }
}
