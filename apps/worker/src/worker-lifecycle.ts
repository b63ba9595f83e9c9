import type { BeforeApplicationShutdown, OnApplicationShutdown } from '@nestjs/common';
import type { WorkerRuntime } from './worker-runtime.js';

/**
 * Shutdown in Nest's order: before the server closes, connectors stop and commit what is durable;
 * after it closed, the log closes.
 */
export class WorkerLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(private readonly runtime: WorkerRuntime) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stopConnectors();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
