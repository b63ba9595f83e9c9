import { type DynamicModule, Module } from '@nestjs/common';
import type { WorkerConfig } from '@sluice/config';
import { LoggerModule } from 'nestjs-pino';
import { EmbeddedLogModule } from './embedded-log.module.js';
import { HealthController } from './health.controller.js';
import { WORKER_CONFIG } from './worker-config.token.js';

@Module({})
export class WorkerModule {
  static register(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: process.env['SLUICE_LOG_LEVEL'] ?? 'info',
            autoLogging: false,
            redact: ['req.headers.authorization'],
          },
        }),
        EmbeddedLogModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: WORKER_CONFIG, useValue: config }],
      exports: [WORKER_CONFIG],
    };
  }
}
