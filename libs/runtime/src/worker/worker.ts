import type { Connector, ConnectLogger, ConnectorSignal } from '@sluice/connect-api';
import type { CompressionType, Log, Logger, Producer } from '@sluice/log';
import type { ConnectorPlugin } from '../config/connector-validator.js';
import type { ConverterDefaults } from '../config/converter-factory.js';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.js';
import { RegistryTaskMetrics } from '../metrics/task-metrics.js';
import { StoreTaskOffsets } from '../offsets/task-offsets.js';
import type { SourceOffsetStore } from '../offsets/source-offset-store.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { ConnectorState, TargetState } from '../herder/herder.js';
import type { IngressRouter } from '../ingress/ingress-router.js';
import { SplitTaskRunner } from './split-task-runner.js';
import { createWorkerTask } from './task-factory.js';
import type { TaskId, TaskStatusListener, WorkerTask } from './task-status.js';

export interface WorkerStatusListener extends TaskStatusListener {
  onConnectorState(connector: string, state: ConnectorState, error?: Error): void;
}

export interface WorkerOptions {
  workerId: string;
  log: Log;
  registry: PluginRegistry;
  metrics: RuntimeMetrics;
  offsets: SourceOffsetStore;
  status: WorkerStatusListener;
  converterDefaults: ConverterDefaults;
  logger: Logger;
  onTopicUsed: (connector: string, topic: string) => Promise<void>;
  /** Routes ingest requests to webhook source tasks. */
  ingress: IngressRouter;
  /** Where tasks run; default this thread. */
  runner?: TaskRunner;
  /** How long a task may take to stop before the worker logs it and moves on (default 5000). */
  shutdownTimeoutMs?: number;
}

interface RunningConnector {
  plugin: ConnectorPlugin;
  connector: Connector;
  config: Readonly<Record<string, string>>;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

const num = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : fallback;
};

/** Runs the tasks of a worker: in its own thread, or in task threads. */
export interface TaskRunner {
  start(
    id: TaskId,
    plugin: ConnectorPlugin,
    connectorConfig: Readonly<Record<string, string>>,
    taskConfig: Readonly<Record<string, string>>,
    target: TargetState,
  ): Promise<void>;
  stop(id: TaskId): Promise<void>;
  pause(id: TaskId): void;
  resume(id: TaskId): void;
  /** Hands a signal to a running task: false when it takes none (or is not running here). */
  signal(id: TaskId, signal: ConnectorSignal): Promise<boolean>;
  ids(): TaskId[];
  /** Readies what tasks will run on ahead of them (threads), so a task starts without that wait. */
  warm?(): void;
  /** Sets the level of task loggers that live elsewhere (threads); those here follow their parent. */
  setLogLevel?(level: string): void;
  close(): Promise<void>;
}

/** Tasks as async loops in the worker's own thread. */
export class InProcessTaskRunner implements TaskRunner {
  private readonly tasks = new Map<string, WorkerTask>();
  private readonly producers = new Map<CompressionType, Producer>();

  constructor(private readonly o: WorkerOptions) {}

  private producerFor(compression: CompressionType): Producer {
    let producer = this.producers.get(compression);
    if (!producer) this.producers.set(compression, (producer = this.o.log.producer({ compression })));
    return producer;
  }

  async start(
    id: TaskId,
    plugin: ConnectorPlugin,
    connectorConfig: Readonly<Record<string, string>>,
    taskConfig: Readonly<Record<string, string>>,
    target: TargetState,
  ): Promise<void> {
    const key = Worker.taskKey(id);
    if (this.tasks.has(key)) throw new Error(`task ${key} is already running`);
    let task: WorkerTask;
    try {
      task = await createWorkerTask(id, plugin, connectorConfig, taskConfig, {
        log: this.o.log,
        producerFor: (compression) => this.producerFor(compression),
        registry: this.o.registry,
        converterDefaults: this.o.converterDefaults,
        status: this.o.status,
        metrics: new RegistryTaskMetrics(this.o.metrics, id.connector, id.task),
        offsets: new StoreTaskOffsets(this.o.offsets, id.connector, id.task),
        onTopicUsed: (topic) => this.o.onTopicUsed(id.connector, topic),
        logger: this.o.logger.child({ connector: id.connector, task: id.task }),
        ingress: this.o.ingress.forConnector(id.connector),
      });
    } catch (err) {
      this.o.status.onTaskState(id.connector, id.task, 'FAILED', err as Error);
      return;
    }
    this.tasks.set(key, task);
    if (target === 'PAUSED') task.pause();
    await task.start();
  }

  async stop(id: TaskId): Promise<void> {
    const key = Worker.taskKey(id);
    const task = this.tasks.get(key);
    if (!task) return;
    this.tasks.delete(key);
    await task.stop();
  }

  pause(id: TaskId): void {
    this.tasks.get(Worker.taskKey(id))?.pause();
  }

  resume(id: TaskId): void {
    this.tasks.get(Worker.taskKey(id))?.resume();
  }

  async signal(id: TaskId, signal: ConnectorSignal): Promise<boolean> {
    return (await this.tasks.get(Worker.taskKey(id))?.signal(signal)) ?? false;
  }

  ids(): TaskId[] {
    return [...this.tasks.values()].map((t) => t.id);
  }

  async close(): Promise<void> {
    for (const producer of this.producers.values()) await producer.close();
  }
}

/**
 * Runs connector instances and their tasks on this worker. The herder decides what runs; the
 * worker builds the pieces (plugins, converters, transforms, error handling) and runs them.
 */
export class Worker {
  private readonly connectors = new Map<string, RunningConnector>();
  private readonly runner: TaskRunner;

  constructor(private readonly o: WorkerOptions) {
    this.runner = o.runner
      ? new SplitTaskRunner(o.runner, new InProcessTaskRunner(o))
      : new InProcessTaskRunner(o);
  }

  get workerId(): string {
    return this.o.workerId;
  }

  private loggerFor(connector: string, task?: number): ConnectLogger {
    return this.o.logger.child(task === undefined ? { connector } : { connector, task });
  }

  /** Starts a connector instance (config resolved); its failures show in its status. */
  async startConnector(
    name: string,
    plugin: ConnectorPlugin,
    config: Readonly<Record<string, string>>,
    target: TargetState,
    requestTaskReconfiguration: () => void,
  ): Promise<boolean> {
    const connector = plugin.create();
    try {
      await connector.start(config, {
        name,
        logger: this.loggerFor(name),
        requestTaskReconfiguration,
        raiseError: (error) => this.o.status.onConnectorState(name, 'FAILED', error),
      });
    } catch (err) {
      this.o.status.onConnectorState(name, 'FAILED', err as Error);
      return false;
    }
    this.connectors.set(name, { plugin, connector, config });
    this.o.status.onConnectorState(name, target === 'PAUSED' ? 'PAUSED' : 'RUNNING');
    return true;
  }

  async taskConfigs(name: string): Promise<Record<string, string>[]> {
    const running = this.connectors.get(name);
    if (!running) return [];
    const maxTasks = num(running.config['tasks.max'], 1);
    const configs = await running.connector.taskConfigs(maxTasks);
    return configs.slice(0, maxTasks);
  }

  async stopConnector(name: string): Promise<void> {
    const running = this.connectors.get(name);
    if (!running) return;
    this.connectors.delete(name);
    try {
      await running.connector.stop();
    } catch (err) {
      this.o.logger.warn({ err, connector: name }, `connector ${name} failed to stop cleanly`);
    }
  }

  isRunning(name: string): boolean {
    return this.connectors.has(name);
  }

  static taskKey(id: TaskId): string {
    return `${id.connector}-${id.task}`;
  }

  /**
   * Starts a task where the worker runs tasks (this thread, or a task thread). `connectorConfig`
   * carries the runtime settings (converters, transforms, errors.*); `taskConfig` is what the
   * connector made for this task. Both resolved.
   */
  async startTask(
    id: TaskId,
    plugin: ConnectorPlugin,
    connectorConfig: Readonly<Record<string, string>>,
    taskConfig: Readonly<Record<string, string>>,
    target: TargetState,
  ): Promise<void> {
    await this.runner.start(id, plugin, connectorConfig, taskConfig, target);
  }

  stopTask(id: TaskId): Promise<void> {
    return this.stopWithin(id);
  }

  /**
   * Stops a task, waiting at most shutdownTimeoutMs: one stuck in a call (a request that never
   * ends) is left to finish by itself, as Kafka Connect abandons it, rather than holding up a
   * shutdown, a restart or a delete.
   */
  private async stopWithin(id: TaskId): Promise<void> {
    const timeoutMs = this.o.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    const stopped = this.runner.stop(id).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      if (await Promise.race([stopped, late])) return;
    } finally {
      clearTimeout(timer);
    }
    stopped.catch((err: unknown) =>
      this.o.logger.warn({ err, connector: id.connector, task: id.task }, 'abandoned task failed to stop'),
    );
    this.o.logger.warn(
      { connector: id.connector, task: id.task },
      `task ${id.connector}-${id.task} did not stop within ${timeoutMs} ms; it is abandoned`,
    );
  }

  taskIds(connector: string): number[] {
    return this.runner
      .ids()
      .filter((t) => t.connector === connector)
      .map((t) => t.task);
  }

  /** Hands a signal to each running task of a connector; resolves with the tasks that took it. */
  async signalConnector(name: string, signal: ConnectorSignal): Promise<number[]> {
    const ids = this.runner.ids().filter((id) => id.connector === name);
    const taken = await Promise.all(ids.map((id) => this.runner.signal(id, signal)));
    return ids.filter((_, i) => taken[i]).map((id) => id.task);
  }

  setTargetState(name: string, target: TargetState): void {
    const running = this.connectors.get(name);
    if (running) this.o.status.onConnectorState(name, target === 'PAUSED' ? 'PAUSED' : 'RUNNING');
    for (const id of this.runner.ids()) {
      if (id.connector !== name) continue;
      if (target === 'PAUSED') this.runner.pause(id);
      else this.runner.resume(id);
    }
  }

  /** Readies the task threads in the background; tasks start on them without loading the runtime. */
  warm(): void {
    this.runner.warm?.();
  }

  /** The level of the loggers of tasks in task threads (a pino level name). */
  setTaskLogLevel(level: string): void {
    this.runner.setLogLevel?.(level);
  }

  async stop(): Promise<void> {
    await Promise.all(this.runner.ids().map((id) => this.stopWithin(id)));
    for (const name of [...this.connectors.keys()]) await this.stopConnector(name);
    await this.runner.close();
  }
}
