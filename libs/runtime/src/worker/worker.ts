import type { Connector, ConnectLogger, SinkRecord, SourceRecord } from '@sluice/connect-api';
import type { Log, Logger, Producer } from '@sluice/log';
import { listSetting } from '../config/prefixed-config.js';
import type { ConnectorPlugin } from '../config/connector-validator.js';
import { createConverter, type ConverterDefaults } from '../config/converter-factory.js';
import { TransformationChain } from '../config/transformation-chain.js';
import { ErrorReporter } from '../errors/error-reporter.js';
import { RetryWithTolerance } from '../errors/retry-with-tolerance.js';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.js';
import type { SourceOffsetStore } from '../offsets/source-offset-store.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { ConnectorState, TargetState } from '../herder/herder.js';
import type { TaskId, TaskStatusListener, WorkerTask } from './task-status.js';
import { WorkerSinkTask } from './worker-sink-task.js';
import { WorkerSourceTask } from './worker-source-task.js';

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
}

interface RunningConnector {
  plugin: ConnectorPlugin;
  connector: Connector;
  config: Readonly<Record<string, string>>;
}

const num = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : fallback;
};

/**
 * Runs connector instances and their tasks on this worker. The herder decides what runs; the
 * worker builds the pieces (plugins, converters, transforms, error handling) and runs them.
 */
export class Worker {
  private readonly connectors = new Map<string, RunningConnector>();
  private readonly tasks = new Map<string, WorkerTask>();
  private readonly producer: Producer;

  constructor(private readonly o: WorkerOptions) {
    this.producer = o.log.producer();
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
   * Builds and starts a task. `connectorConfig` carries the runtime settings (converters,
   * transforms, errors.*); `taskConfig` is what the connector made for this task. Both resolved.
   */
  async startTask(
    id: TaskId,
    plugin: ConnectorPlugin,
    connectorConfig: Readonly<Record<string, string>>,
    taskConfig: Readonly<Record<string, string>>,
    target: TargetState,
  ): Promise<void> {
    const key = Worker.taskKey(id);
    if (this.tasks.has(key)) throw new Error(`task ${key} is already running`);
    const logger = this.loggerFor(id.connector, id.task);
    const registry = this.o.registry;
    let task: WorkerTask;
    try {
      const tolerance = new RetryWithTolerance({
        tolerance: connectorConfig['errors.tolerance'] === 'all' ? 'all' : 'none',
        retryTimeoutMs: num(connectorConfig['errors.retry.timeout'], 0),
        retryDelayMaxMs: num(connectorConfig['errors.retry.delay.max.ms'], 60_000),
      });
      const dlq =
        plugin.type === 'sink'
          ? (connectorConfig['errors.deadletterqueue.topic.name'] ?? '').trim() || null
          : null;
      const errorReporter = new ErrorReporter(
        {
          connector: id.connector,
          taskId: id.task,
          logEnabled: connectorConfig['errors.log.enable'] === 'true',
          logIncludeMessages: connectorConfig['errors.log.include.messages'] === 'true',
          deadLetterTopic: dlq,
          contextHeaders: connectorConfig['errors.deadletterqueue.context.headers.enable'] === 'true',
        },
        logger,
        this.producer,
        async (topic) => {
          await this.o.log.admin().ensureTopic({ name: topic, partitions: 1 });
        },
      );
      const keyConverter = createConverter(registry, connectorConfig, 'key', this.o.converterDefaults);
      const valueConverter = createConverter(registry, connectorConfig, 'value', this.o.converterDefaults);
      const common = {
        id,
        config: taskConfig,
        log: this.o.log,
        keyConverter,
        valueConverter,
        tolerance,
        errorReporter,
        offsetFlushIntervalMs: num(connectorConfig['offset.flush.interval.ms'], 5000),
        status: this.o.status,
        metrics: this.o.metrics,
        logger,
      };
      const connector = plugin.create();
      if (connector.kind === 'source') {
        task = new WorkerSourceTask({
          ...common,
          task: connector.createTask(),
          producer: this.producer,
          transforms: TransformationChain.fromConfig<SourceRecord>(registry, connectorConfig),
          offsets: this.o.offsets,
          topicPartitions: num(connectorConfig['topic.creation.default.partitions'], 1),
          onTopicUsed: (topic) => this.o.onTopicUsed(id.connector, topic),
        });
      } else {
        const regex = (connectorConfig['topics.regex'] ?? '').trim();
        const topics = listSetting(connectorConfig['topics']);
        for (const topic of topics) await this.o.onTopicUsed(id.connector, topic);
        task = new WorkerSinkTask({
          ...common,
          task: connector.createTask(),
          groupId: `connect-${id.connector}`,
          topics,
          topicsRegex: regex ? new RegExp(regex) : null,
          transforms: TransformationChain.fromConfig<SinkRecord>(registry, connectorConfig),
        });
      }
    } catch (err) {
      this.o.status.onTaskState(id.connector, id.task, 'FAILED', err as Error);
      return;
    }
    this.tasks.set(key, task);
    if (target === 'PAUSED') task.pause();
    await task.start();
  }

  async stopTask(id: TaskId): Promise<void> {
    const key = Worker.taskKey(id);
    const task = this.tasks.get(key);
    if (!task) return;
    this.tasks.delete(key);
    await task.stop();
  }

  taskIds(connector: string): number[] {
    return [...this.tasks.values()].filter((t) => t.id.connector === connector).map((t) => t.id.task);
  }

  setTargetState(name: string, target: TargetState): void {
    const running = this.connectors.get(name);
    if (running) this.o.status.onConnectorState(name, target === 'PAUSED' ? 'PAUSED' : 'RUNNING');
    for (const task of this.tasks.values()) {
      if (task.id.connector !== name) continue;
      if (target === 'PAUSED') task.pause();
      else task.resume();
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((t) => this.stopTask(t.id)));
    for (const name of [...this.connectors.keys()]) await this.stopConnector(name);
    await this.producer.close();
  }
}
