import {
  ConnectError,
  topicsPattern,
  type ConnectLogger,
  type HttpIngress,
  type SinkRecord,
  type SourceRecord,
} from '@sluice/connect-api';
import type { CompressionType, Log, Producer } from '@sluice/log';
import type { ConnectorPlugin } from '../config/connector-validator.js';
import { createConverter, type ConverterDefaults } from '../config/converter-factory.js';
import { listSetting } from '../config/prefixed-config.js';
import { TransformationChain } from '../config/transformation-chain.js';
import { ErrorReporter } from '../errors/error-reporter.js';
import { RetryWithTolerance } from '../errors/retry-with-tolerance.js';
import type { TaskMetrics } from '../metrics/task-metrics.js';
import type { TaskOffsets } from '../offsets/task-offsets.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { TaskId, TaskStatusListener, WorkerTask } from './task-status.js';
import { WorkerSinkTask } from './worker-sink-task.js';
import { WorkerSourceTask } from './worker-source-task.js';
import { isRuntimeTopic, runtimeTopicProblem } from '../storage/internal-topics.js';

/** What a task needs from where it runs: the main thread, or a task thread. */
export interface TaskEnvironment {
  log: Log;
  /** A producer writing batches compressed so (one per compression type may serve every task). */
  producerFor(compression: CompressionType): Producer;
  registry: PluginRegistry;
  converterDefaults: ConverterDefaults;
  status: TaskStatusListener;
  metrics: TaskMetrics;
  offsets: TaskOffsets;
  /** A topic the connector used for the first time (GET /connectors/{name}/topics). */
  onTopicUsed(topic: string): Promise<void>;
  logger: ConnectLogger;
  /** The connector's ingest route on the REST listener. */
  ingress: HttpIngress;
}

const num = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n : fallback;
};

/**
 * Builds a source or sink task from its connector's config (converters, transforms, errors.*) and
 * its own config (what the connector made for it), both resolved. Throws on a config the runtime
 * cannot build; the caller reports it as the task's failure.
 */
export async function createWorkerTask(
  id: TaskId,
  plugin: ConnectorPlugin,
  connectorConfig: Readonly<Record<string, string>>,
  taskConfig: Readonly<Record<string, string>>,
  env: TaskEnvironment,
): Promise<WorkerTask> {
  const { registry, log } = env;
  const tolerance = new RetryWithTolerance({
    tolerance: connectorConfig['errors.tolerance'] === 'all' ? 'all' : 'none',
    retryTimeoutMs: num(connectorConfig['errors.retry.timeout'], 0),
    retryDelayMaxMs: num(connectorConfig['errors.retry.delay.max.ms'], 60_000),
  });
  const dlq =
    plugin.type === 'sink'
      ? (connectorConfig['errors.deadletterqueue.topic.name'] ?? '').trim() || null
      : null;
  // refused when a config is set; one stored before that check fails its tasks here
  const internal = plugin.type === 'sink' ? [...listSetting(connectorConfig['topics']), dlq ?? ''] : [];
  const refused = internal.find(isRuntimeTopic);
  if (refused !== undefined) throw new ConnectError(runtimeTopicProblem(refused));
  // empty means the default, as the config's validation reads it
  const producer = env.producerFor(
    (connectorConfig['producer.override.compression.type'] || 'none') as CompressionType,
  );
  const errorReporter = new ErrorReporter(
    {
      connector: id.connector,
      taskId: id.task,
      logEnabled: connectorConfig['errors.log.enable'] === 'true',
      logIncludeMessages: connectorConfig['errors.log.include.messages'] === 'true',
      deadLetterTopic: dlq,
      contextHeaders: connectorConfig['errors.deadletterqueue.context.headers.enable'] === 'true',
    },
    env.logger,
    producer,
    async (topic) => {
      await log.admin().ensureTopic({ name: topic, partitions: 1 });
    },
  );
  const common = {
    id,
    config: taskConfig,
    log,
    keyConverter: createConverter(registry, connectorConfig, 'key', env.converterDefaults),
    valueConverter: createConverter(registry, connectorConfig, 'value', env.converterDefaults),
    tolerance,
    errorReporter,
    offsetFlushIntervalMs: num(connectorConfig['offset.flush.interval.ms'], 5000),
    status: env.status,
    metrics: env.metrics,
    logger: env.logger,
  };
  const connector = plugin.create();
  if (connector.kind === 'source') {
    return new WorkerSourceTask({
      ...common,
      task: connector.createTask(),
      producer,
      transforms: TransformationChain.fromConfig<SourceRecord>(registry, connectorConfig),
      offsets: env.offsets,
      topicPartitions: num(connectorConfig['topic.creation.default.partitions'], 1),
      ingress: env.ingress,
      onTopicUsed: (topic) => env.onTopicUsed(topic),
    });
  }
  const regex = (connectorConfig['topics.regex'] ?? '').trim();
  const topics = listSetting(connectorConfig['topics']);
  for (const topic of topics) await env.onTopicUsed(topic);
  return new WorkerSinkTask({
    ...common,
    task: connector.createTask(),
    groupId: `connect-${id.connector}`,
    topics,
    topicsRegex: regex ? topicsPattern(regex) : null,
    onTopicUsed: (topic) => env.onTopicUsed(topic),
    maxPollRecords: num(connectorConfig['consumer.override.max.poll.records'], 2_000),
    maxPartitionFetchBytes: num(connectorConfig['consumer.override.max.partition.fetch.bytes'], 512 * 1024),
    maxPollIntervalMs: num(connectorConfig['consumer.override.max.poll.interval.ms'], 300_000),
    transforms: TransformationChain.fromConfig<SinkRecord>(registry, connectorConfig),
  });
}
