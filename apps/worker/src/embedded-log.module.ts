import path from 'node:path';
import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { WorkerConfig } from '@sluice/config';
import { Log } from '@sluice/log';
import { PinoLogger } from 'nestjs-pino';
import { WORKER_CONFIG } from './worker-config.token.js';

/** Closes the log last, after the HTTP server and everything that writes to the log stopped. */
@Injectable()
class EmbeddedLogCloser implements OnApplicationShutdown {
  constructor(@Inject(Log) private readonly log: Log) {}

  async onApplicationShutdown(): Promise<void> {
    await this.log.close();
  }
}

/** Opens the standalone worker's log: segment files under log.dir, groups coordinated in process. */
@Module({
  providers: [
    {
      provide: Log,
      inject: [WORKER_CONFIG, PinoLogger],
      useFactory: (config: WorkerConfig, logger: PinoLogger) =>
        Log.openEmbedded({
          dir: path.resolve(config.log.dir),
          durability:
            config.log.durability === 'fsync'
              ? { mode: 'fsync' }
              : { mode: 'interval', intervalMs: config.log['flush.interval.ms'] },
          logger: logger.logger.child({ component: 'log' }),
        }),
    },
    EmbeddedLogCloser,
  ],
  exports: [Log],
})
export class EmbeddedLogModule {}
