import {
  ConfigField,
  DataError,
  parseConfig,
  withRecord,
  type ConnectRecord,
  type ConnectorSignal,
  type Converter,
  type PluginDescriptor,
  type SchemaAndValue,
  type SinkConnector,
  type SinkOffsetChange,
  type SinkRecord,
  type SinkTask,
  type SourceConnector,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type Transformation,
} from '@sluice/connect-api';
import { IsBoolean, IsInt, IsString, Min, MinLength } from 'class-validator';
import { ECHO_WEBHOOK_SOURCE } from './echo-webhook-source.js';

/*
 * Connectors for the admin API's tests: a source emitting `count` numbered records per task
 * (resuming from its committed offset) and a sink keeping what it receives in memory. Both declare
 * a PASSWORD setting, so redaction can be checked against a real config definition.
 */

class CountingSourceConfig {
  @ConfigField({ doc: 'Topic to write to.', required: true })
  @IsString()
  @MinLength(1)
  topic = '';

  @ConfigField({ doc: 'Records per task.' })
  @IsInt()
  @Min(0)
  count = 10;

  @ConfigField({ doc: 'A secret the connector never uses.', secret: true })
  'api.key' = '';
}

class CountingSourceTask implements SourceTask {
  private topic = '';
  private count = 0;
  private next = 0;
  private task = 0;

  async start(config: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const parsed = parseConfig(CountingSourceConfig, config);
    if (!parsed.ok) throw new Error(parsed.errors.flatMap((e) => e.messages).join('; '));
    this.topic = parsed.config.topic;
    this.count = parsed.config.count;
    this.task = context.taskId;
    const offset = await context.offsetStorageReader.offset({ task: this.task });
    this.next = typeof offset?.['next'] === 'number' ? offset['next'] : 0;
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.next >= this.count) {
      await new Promise((r) => setTimeout(r, 20));
      return [];
    }
    const n = this.next++;
    return [
      {
        topic: this.topic,
        kafkaPartition: null,
        keySchema: null,
        key: `k${n}`,
        valueSchema: null,
        value: { task: this.task, n },
        timestamp: null,
        headers: [{ key: 'origin', value: 'counting-source' }],
        sourcePartition: { task: this.task },
        sourceOffset: { next: n + 1 },
      },
    ];
  }

  /** `rewind` starts the count over; other signals are refused (tests of POST .../signals). */
  handleSignal(signal: ConnectorSignal): void {
    if (signal.type !== 'rewind')
      throw new DataError(`counting source takes only rewind signals, not ${signal.type}`);
    this.next = 0;
  }

  stop(): void {}
}

export class CountingSource implements SourceConnector {
  readonly kind = 'source' as const;
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return '1.0.0';
  }

  configClass(): new () => object {
    return CountingSourceConfig;
  }

  start(config: Readonly<Record<string, string>>): void {
    this.config = config;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.config }));
  }

  createTask(): SourceTask {
    return new CountingSourceTask();
  }

  stop(): void {}
}

class CollectingSinkConfig {
  @ConfigField({ doc: 'Key of CollectingSink.received the records go to.', required: true })
  @IsString()
  @MinLength(1)
  bucket = '';

  @ConfigField({ doc: 'A secret the connector never uses.', secret: true })
  'db.pass' = '';

  @ConfigField({
    doc: 'Claims to keep offsets of its own: alterOffsets confirms changes (a kafka_offset of 13 is refused).',
  })
  @IsBoolean()
  'keeps.offsets' = false;
}

class CollectingSinkTask implements SinkTask {
  private bucket = '';

  start(config: Readonly<Record<string, string>>): void {
    const parsed = parseConfig(CollectingSinkConfig, config);
    if (!parsed.ok) throw new Error(parsed.errors.flatMap((e) => e.messages).join('; '));
    this.bucket = parsed.config.bucket;
  }

  async put(records: SinkRecord[]): Promise<void> {
    const list = CollectingSink.received.get(this.bucket) ?? [];
    list.push(...records);
    CollectingSink.received.set(this.bucket, list);
  }

  stop(): void {}
}

export class CollectingSink implements SinkConnector {
  static readonly received = new Map<string, SinkRecord[]>();
  readonly kind = 'sink' as const;
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return '1.0.0';
  }

  configClass(): new () => object {
    return CollectingSinkConfig;
  }

  start(config: Readonly<Record<string, string>>): void {
    this.config = config;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.config }));
  }

  createTask(): SinkTask {
    return new CollectingSinkTask();
  }

  alterOffsets(config: Readonly<Record<string, string>>, offsets: readonly SinkOffsetChange[]): boolean {
    const parsed = parseConfig(CollectingSinkConfig, config);
    if (!parsed.ok || !parsed.config['keeps.offsets']) return false;
    if (offsets.some((o) => o.offset === 13)) throw new DataError('this sink cannot resume at offset 13');
    return true;
  }

  stop(): void {}
}

class TagHeaderConfig {
  @ConfigField({ doc: 'Header value to add.' })
  @IsString()
  tag = 'tagged';

  @ConfigField({ doc: 'A secret the transform never uses.', secret: true })
  'signing.key' = '';
}

/** Adds a "tag" header: a transform with a PASSWORD setting, for redaction under transforms.<alias>. */
class TagHeader implements Transformation {
  private tag = 'tagged';

  configClass(): new () => object {
    return TagHeaderConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    this.tag = typeof config['tag'] === 'string' ? config['tag'] : this.tag;
  }

  apply<R extends ConnectRecord>(record: R): R {
    return withRecord(record, { headers: [...record.headers, { key: 'tag', value: this.tag }] });
  }
}

/** Schemaless JSON, standing in for the runtime's JsonConverter while that is not there. */
class TestJsonConverter implements Converter {
  configure(): void {}

  fromConnectData(_topic: string, _headers: unknown, _schema: unknown, value: unknown): Buffer | null {
    return value === null || value === undefined ? null : Buffer.from(JSON.stringify(value));
  }

  toConnectData(_topic: string, _headers: unknown, value: Buffer | null): SchemaAndValue {
    return { schema: null, value: value === null ? null : (JSON.parse(value.toString('utf8')) as unknown) };
  }
}

export const TEST_CONNECTOR_PLUGINS: PluginDescriptor[] = [
  ECHO_WEBHOOK_SOURCE,
  {
    type: 'source',
    name: 'counting-source',
    className: 'test.admin.CountingSourceConnector',
    version: '1.0.0',
    create: () => new CountingSource(),
  },
  {
    type: 'sink',
    name: 'collecting-sink',
    className: 'test.admin.CollectingSinkConnector',
    version: '1.0.0',
    create: () => new CollectingSink(),
  },
];

export const TEST_TRANSFORM_PLUGINS: PluginDescriptor[] = [
  {
    type: 'transformation',
    name: 'tag-header',
    className: 'test.admin.TagHeader',
    version: '1.0.0',
    create: () => new TagHeader(),
  },
];

export const TEST_JSON_CONVERTER: PluginDescriptor = {
  type: 'converter',
  name: 'json',
  className: 'org.apache.kafka.connect.json.JsonConverter',
  version: '1.0.0',
  create: () => new TestJsonConverter(),
};
