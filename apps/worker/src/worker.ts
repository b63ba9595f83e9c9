import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { WorkerConfig } from '@sluice/config';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module.js';

/** Starts a standalone worker: opens its log and serves the admin API; resolves once listening. */
export async function startWorker(config: WorkerConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.register(config),
    new FastifyAdapter(),
    {
      bufferLogs: true,
    },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  await app.listen(config.rest.port, config.rest.host);
  logger.log(
    `Sluice worker listening on http://${config.rest.host}:${config.rest.port} (log in ${config.log.dir})`,
  );
  return app;
}
