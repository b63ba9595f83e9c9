import { InProcessGroupCoordinator } from '../groups/in-process-group-coordinator.js';
import type { GroupCoordinator } from '../groups/group-coordinator.js';
import { LogOffsetStore } from '../groups/log-offset-store.js';
import { FileLogStorage, type FileLogStorageOptions } from '../storage/file/file-log-storage.js';
import type { LogStorage } from '../storage/log-storage.js';
import { LogAdmin } from './admin.js';
import { Consumer, type ConsumerOptions } from './consumer.js';
import { Producer, type ProducerOptions } from './producer.js';

export type EmbeddedLogOptions = FileLogStorageOptions & {
  /** Kafka's group.initial.rebalance.delay.ms for the in-process coordinator. Default 0. */
  initialRebalanceDelayMs?: number;
};

/**
 * The log's client API: admin, producers and consumers over one storage and one group
 * coordinator. Everything above the log uses only this, whatever backend is underneath.
 */
export class Log {
  constructor(
    readonly storage: LogStorage,
    readonly coordinator: GroupCoordinator,
  ) {}

  /** The standalone backend: segment files under `dir`, groups coordinated in process. */
  static async openEmbedded(options: EmbeddedLogOptions): Promise<Log> {
    const storage = new FileLogStorage(options);
    await storage.open();
    try {
      const coordinator = new InProcessGroupCoordinator({
        offsetStore: new LogOffsetStore(storage),
        initialRebalanceDelayMs: options.initialRebalanceDelayMs,
      });
      await coordinator.open();
      return new Log(storage, coordinator);
    } catch (err) {
      await storage.close();
      throw err;
    }
  }

  admin(): LogAdmin {
    return new LogAdmin(this.storage, this.coordinator);
  }

  producer(options?: ProducerOptions): Producer {
    return new Producer(this.storage, options);
  }

  consumer(options?: ConsumerOptions): Consumer {
    return new Consumer(this.storage, this.coordinator, options);
  }

  /** Closes the coordinator (members are dropped) and then the storage. */
  async close(): Promise<void> {
    await this.coordinator.close();
    await this.storage.close();
  }
}
