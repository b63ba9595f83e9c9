import type { ConnectorSignal } from '@sluice/connect-api';
import type { ConnectorPlugin } from '../config/connector-validator.js';
import type { TargetState } from '../herder/herder.js';
import type { TaskId } from './task-status.js';
import type { TaskRunner } from './worker.js';

const key = (id: TaskId): string => `${id.connector}-${id.task}`;

/**
 * Task threads for most tasks, the main thread for connectors that ask for it (`mainThread` in
 * their plugin descriptor): each call goes to the runner that holds the task.
 */
export class SplitTaskRunner implements TaskRunner {
  private readonly placement = new Map<string, TaskRunner>();

  constructor(
    private readonly threads: TaskRunner,
    private readonly main: TaskRunner,
  ) {}

  async start(
    id: TaskId,
    plugin: ConnectorPlugin,
    connectorConfig: Readonly<Record<string, string>>,
    taskConfig: Readonly<Record<string, string>>,
    target: TargetState,
  ): Promise<void> {
    const runner = plugin.mainThread === true ? this.main : this.threads;
    this.placement.set(key(id), runner);
    await runner.start(id, plugin, connectorConfig, taskConfig, target);
  }

  async stop(id: TaskId): Promise<void> {
    const runner = this.placement.get(key(id));
    this.placement.delete(key(id));
    await runner?.stop(id);
  }

  pause(id: TaskId): void {
    this.placement.get(key(id))?.pause(id);
  }

  resume(id: TaskId): void {
    this.placement.get(key(id))?.resume(id);
  }

  async signal(id: TaskId, signal: ConnectorSignal): Promise<boolean> {
    return (await this.placement.get(key(id))?.signal(id, signal)) ?? false;
  }

  ids(): TaskId[] {
    return [...this.threads.ids(), ...this.main.ids()];
  }

  warm(): void {
    this.threads.warm?.();
  }

  setLogLevel(level: string): void {
    this.threads.setLogLevel?.(level);
  }

  async close(): Promise<void> {
    await Promise.all([this.threads.close(), this.main.close()]);
  }
}
