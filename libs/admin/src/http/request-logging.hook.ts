import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerLevels } from '../loggers/logger-levels.js';

/** The logger requests are logged to (set its level through /admin/loggers). */
export const REQUEST_LOGGER = 'sluice.rest.requests';

/**
 * Logs each answered request, unknown routes and refused credentials included: method, URL,
 * status and time, and nothing else. Headers (Authorization) and bodies (connector configs with
 * secrets) are never logged.
 */
@Injectable()
export class RequestLoggingHook implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(LoggerLevels) private readonly loggers: LoggerLevels,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const logger = this.loggers.logger(REQUEST_LOGGER);
    fastify.addHook('onResponse', (request, reply, done) => {
      logger.info(
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        `${request.method} ${request.url} ${reply.statusCode}`,
      );
      done();
    });
  }
}
