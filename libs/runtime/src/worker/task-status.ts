import type { ConnectorSignal } from '@sluice/connect-api';
import type { ConnectorState } from '../herder/herder.js';

/** How a worker task tells the herder about its state changes. */
export interface TaskStatusListener {
  onTaskState(connector: string, task: number, state: ConnectorState, error?: Error): void;
}

export interface TaskId {
  connector: string;
  task: number;
}

/** A running task as the worker manages it. */
export interface WorkerTask {
  readonly id: TaskId;
  /** Starts the task's loop; resolves once the task's own start() returned (or failed). */
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Hands an operator's signal to the task: false when it takes none; rejects when it refuses it. */
  signal(signal: ConnectorSignal): Promise<boolean>;
  /** Stops the loop, commits what is durable, calls the task's stop(); resolves when all that is done. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}
