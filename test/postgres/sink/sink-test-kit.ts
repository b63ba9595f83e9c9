import {
  SchemaBuilder,
  Schemas,
  type ConnectLogger,
  type Schema,
  type SinkRecord,
  type SinkTaskContext,
  type TopicPartition,
} from '@sluice/connect-api';
import { PostgresSinkTask } from '../../../connectors/postgres/src/sink/index.js';

/** A logger that keeps warnings (tests look at retries) and drops the rest. */
export function quietLogger(): ConnectLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg) => void warnings.push(typeof obj === 'string' ? obj : (msg ?? '')),
    error: () => undefined,
  };
}

/** What the runtime would give a sink task, recording what the task asks of it. */
export class FakeSinkContext implements SinkTaskContext {
  readonly connector: string;
  readonly taskId = 0;
  readonly logger = quietLogger();
  readonly rewinds: { tp: TopicPartition; offset: number }[] = [];
  readonly reported: { record: SinkRecord; error: Error }[] = [];
  readonly abort = new AbortController();
  /** errors.tolerance=none: report() rejects, as the runtime's does. */
  tolerateErrors = true;
  /** What topicId() answers, per topic (null for the others). */
  readonly topicIds = new Map<string, string>();

  constructor(connector = 'pg-sink-test') {
    this.connector = connector;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  assignment(): TopicPartition[] {
    return [];
  }
  offset(tp: TopicPartition, offset: number): void {
    this.rewinds.push({ tp, offset });
  }
  pause(): void {}
  resume(): void {}
  requestCommit(): void {}
  async topicId(topic: string): Promise<string | null> {
    return this.topicIds.get(topic) ?? null;
  }
  readonly errantRecordReporter = {
    report: async (record: SinkRecord, error: Error): Promise<void> => {
      if (!this.tolerateErrors) throw error;
      this.reported.push({ record, error });
    },
  };
}

export async function startSinkTask(
  config: Record<string, string>,
  context = new FakeSinkContext(),
): Promise<{ task: PostgresSinkTask; context: FakeSinkContext }> {
  const task = new PostgresSinkTask();
  await task.start(config, context);
  return { task, context };
}

/** put() then flush(): the rows are in the target. */
export async function putAndFlush(task: PostgresSinkTask, records: SinkRecord[]): Promise<void> {
  await task.put(records);
  await task.flush();
}

/** SinkRecords as the JSON converter makes them, with offsets counted per topic-partition. */
export class RecordFactory {
  private readonly next = new Map<string, number>();

  constructor(readonly topic: string) {}

  record(
    key: unknown,
    value: unknown,
    o: {
      keySchema?: Schema | null;
      valueSchema?: Schema | null;
      partition?: number;
      topic?: string;
      offset?: number;
    } = {},
  ): SinkRecord {
    const topic = o.topic ?? this.topic;
    const partition = o.partition ?? 0;
    const tp = `${topic}:${partition}`;
    const offset = o.offset ?? this.next.get(tp) ?? 0;
    this.next.set(tp, offset + 1);
    return {
      topic,
      kafkaPartition: partition,
      kafkaOffset: offset,
      keySchema: o.keySchema ?? null,
      key,
      valueSchema: o.valueSchema ?? null,
      value,
      timestamp: Date.now(),
      headers: [],
      originalTopic: topic,
      originalKafkaPartition: partition,
      originalKafkaOffset: offset,
    };
  }
}

/** A Debezium envelope schema around a row schema, as the Postgres source emits it. */
export function envelopeSchema(row: Schema, name: string): Schema {
  const source = SchemaBuilder.struct()
    .name('io.debezium.connector.postgresql.Source')
    .field('version', Schemas.STRING)
    .field('connector', Schemas.STRING)
    .field('name', Schemas.STRING)
    .field('ts_ms', Schemas.INT64)
    .field('db', Schemas.STRING)
    .field('schema', Schemas.STRING)
    .field('table', Schemas.STRING)
    .field('lsn', Schemas.OPTIONAL_INT64)
    .build();
  const optionalRow = SchemaBuilder.from(row).optional().build();
  return SchemaBuilder.struct()
    .name(`${name}.Envelope`)
    .field('before', optionalRow)
    .field('after', optionalRow)
    .field('source', source)
    .field('op', Schemas.STRING)
    .field('ts_ms', Schemas.OPTIONAL_INT64)
    .build();
}

export function sourceBlock(schema: string, table: string): Record<string, unknown> {
  return {
    version: '2.7.0',
    connector: 'postgresql',
    name: 'shop',
    ts_ms: 0,
    db: 'shop',
    schema,
    table,
    lsn: 1,
  };
}

export function eventually<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
    for (;;) {
      let v: T | undefined;
      try {
        v = await probe();
        if (ok(v)) return v;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`condition not reached; last value: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
}
