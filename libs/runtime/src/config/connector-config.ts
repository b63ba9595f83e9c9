import { ConfigField } from '@sluice/connect-api';
import { COMPRESSION_TYPES, isCompressionSupported, type CompressionType } from '@sluice/log';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const COMPRESSIONS = COMPRESSION_TYPES.filter(isCompressionSupported);

/**
 * The settings every connector has, under Kafka Connect's names. The connector's own settings
 * (its config class) and those of its transforms, predicates and converters travel in the same map.
 */
export class CommonConnectorConfig {
  @ConfigField({ doc: 'Globally unique name of the connector.', required: true, group: 'Common' })
  @IsString()
  @MinLength(1)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  @Matches(/^[^\u0000-\u001f/]+$/, { message: 'name must not contain "/" or control characters' })
  name = '';

  @ConfigField({
    doc: 'The connector plugin: its short name (file-source) or class name.',
    required: true,
    type: 'CLASS',
    group: 'Common',
  })
  @IsString()
  @MinLength(1)
  'connector.class' = '';

  @ConfigField({ doc: 'Maximum number of tasks to create.', group: 'Common' })
  @IsInt()
  @Min(1)
  @Max(1000)
  'tasks.max' = 1;

  @ConfigField({
    doc: "Converter for keys (short name or class name); default: the worker's.",
    type: 'CLASS',
    group: 'Common',
  })
  @IsOptional()
  @IsString()
  'key.converter' = '';

  @ConfigField({ doc: "Converter for values; default: the worker's.", type: 'CLASS', group: 'Common' })
  @IsOptional()
  @IsString()
  'value.converter' = '';

  @ConfigField({ doc: 'Aliases of the transforms to apply, in order.', group: 'Transforms' })
  transforms: string[] = [];

  @ConfigField({ doc: 'Aliases of the predicates the transforms may use.', group: 'Predicates' })
  predicates: string[] = [];

  @ConfigField({
    doc: 'none: the first error fails the task; all: skip problem records (log and DLQ them).',
    group: 'Error Handling',
  })
  @IsIn(['none', 'all'])
  'errors.tolerance' = 'none';

  @ConfigField({
    doc: 'Total time to retry a failed operation (ms); 0 disables retries, -1 retries forever.',
    type: 'LONG',
    group: 'Error Handling',
  })
  @IsInt()
  @Min(-1)
  'errors.retry.timeout' = 0;

  @ConfigField({
    doc: 'Longest wait between retries (ms); the backoff doubles up to it.',
    type: 'LONG',
    group: 'Error Handling',
  })
  @IsInt()
  @Min(1)
  'errors.retry.delay.max.ms' = 60_000;

  @ConfigField({ doc: 'Log each tolerated error.', group: 'Error Handling' })
  'errors.log.enable' = false;

  @ConfigField({
    doc: 'Include the record (topic, partition, offset, key and value) in error logs.',
    group: 'Error Handling',
  })
  'errors.log.include.messages' = false;

  @ConfigField({
    doc: 'Restart a FAILED task automatically with exponential backoff (Sluice addition).',
    group: 'Error Handling',
  })
  'errors.restart.enable' = false;

  @ConfigField({ doc: 'Most automatic restarts of a task before it stays FAILED.', group: 'Error Handling' })
  @IsInt()
  @Min(1)
  'errors.restart.max.attempts' = 5;

  @ConfigField({
    doc: 'First automatic restart delay (ms); doubles each time.',
    type: 'LONG',
    group: 'Error Handling',
  })
  @IsInt()
  @Min(0)
  'errors.restart.backoff.ms' = 1000;

  @ConfigField({ doc: 'Partitions of topics a source connector creates.', group: 'Topic Creation' })
  @IsInt()
  @Min(1)
  'topic.creation.default.partitions' = 1;

  @ConfigField({
    doc: "Compression of the record batches the connector writes to the log, a source's records or a sink's dead letter queue (Kafka's compression.type, as a connector client override): none, gzip, lz4, or zstd on Node 22.15 and later. Records that repeat themselves, such as JSON with schemas, take many times less disk.",
    group: 'Common',
  })
  @IsIn(COMPRESSIONS, {
    message: `must be one of ${COMPRESSIONS.join(', ')}${COMPRESSIONS.includes('zstd') ? '' : ' (zstd needs Node 22.15 or later)'}`,
  })
  'producer.override.compression.type': CompressionType = 'none';
}

/** Sinks also name what they read. */
export class SinkConnectorConfig extends CommonConnectorConfig {
  @ConfigField({ doc: 'Topics to consume (comma-separated); or use topics.regex.', group: 'Common' })
  topics: string[] = [];

  @ConfigField({ doc: 'Regular expression of topics to consume.', group: 'Common' })
  @IsOptional()
  @IsString()
  'topics.regex' = '';

  @ConfigField({ doc: 'Topic for records that fail (errors.tolerance=all).', group: 'Error Handling' })
  @IsOptional()
  @IsString()
  'errors.deadletterqueue.topic.name' = '';

  @ConfigField({
    doc: 'Add __connect.errors.* headers with the failure context to DLQ records.',
    group: 'Error Handling',
  })
  'errors.deadletterqueue.context.headers.enable' = false;

  @ConfigField({
    doc: 'How often sink offsets are flushed and committed (ms).',
    type: 'LONG',
    group: 'Common',
  })
  @IsInt()
  @Min(10)
  'offset.flush.interval.ms' = 5_000;

  @ConfigField({
    doc: "Most records handed to one put() (Kafka's max.poll.records, as a connector client override).",
    type: 'INT',
    group: 'Common',
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  'consumer.override.max.poll.records' = 2_000;

  @ConfigField({
    doc: "Most bytes fetched per partition at a time (Kafka's max.partition.fetch.bytes, as a connector client override).",
    type: 'INT',
    group: 'Common',
  })
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  'consumer.override.max.partition.fetch.bytes' = 512 * 1024;

  @ConfigField({
    doc: "Longest time between two polls of a task's consumer before its group gives its partitions to others (Kafka's max.poll.interval.ms, as a connector client override): a put() or flush that takes longer makes the task rejoin, and what it had not committed is delivered again.",
    type: 'INT',
    group: 'Common',
  })
  @IsInt()
  @Min(100)
  @Max(24 * 3_600_000)
  'consumer.override.max.poll.interval.ms' = 300_000;
}

export class SourceConnectorConfig extends CommonConnectorConfig {
  @ConfigField({ doc: 'How often source offsets are committed (ms).', type: 'LONG', group: 'Common' })
  @IsInt()
  @Min(10)
  'offset.flush.interval.ms' = 5_000;
}
