import type {
  ConnectLogger,
  SourceRecord,
  SourceTaskContext,
  TaskProgress,
  TaskReporter,
} from '@sluice/connect-api';
import { expect } from '@jest/globals';
import { PostgresSourceTask } from '../../../connectors/postgres/src/source/index.js';
import { JsonConverter } from '../../../libs/runtime/src/converters/json.converter.js';
import type { PostgresServer } from '../../support/postgres-server.js';

/** A logger that keeps warnings (tests look for them) and drops the rest. */
export function recordingLogger(): ConnectLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg) => void warnings.push(typeof obj === 'string' ? obj : (msg ?? '')),
    error: () => undefined,
  };
}

/** Progress and gauges as a task reports them. */
export class RecordingReporter implements TaskReporter {
  readonly progressLog: (TaskProgress | null)[] = [];
  readonly gauges = new Map<string, number>();

  progress(progress: TaskProgress | null): void {
    this.progressLog.push(progress);
  }

  gauge(name: string, _help: string, value: number): void {
    this.gauges.set(name, value);
  }
}

/** Committed source offsets, shared by the task instances of one test as the runtime's store is. */
export class OffsetStore {
  private readonly offsets = new Map<string, Record<string, unknown>>();

  set(partition: Readonly<Record<string, unknown>>, offset: Readonly<Record<string, unknown>>): void {
    // a JSON round trip, as the runtime stores them
    this.offsets.set(
      JSON.stringify(partition),
      JSON.parse(JSON.stringify(offset)) as Record<string, unknown>,
    );
  }

  get(partition: Readonly<Record<string, unknown>>): Record<string, unknown> | null {
    return this.offsets.get(JSON.stringify(partition)) ?? null;
  }
}

/** Connector settings for `server`'s database `db`, as a user would write them. */
export function sourceConfig(
  server: PostgresServer,
  db: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    'database.hostname': server.host,
    'database.port': String(server.port),
    'database.user': server.user,
    'database.password': server.password,
    'database.dbname': db,
    'topic.prefix': 'pg',
    'slot.name': `slot_${db}`,
    'publication.name': `pub_${db}`,
    'poll.interval.ms': '100',
    'status.update.interval.ms': '1000',
    ...overrides,
  };
}

/**
 * Drives a PostgresSourceTask as the runtime does: poll(); the records become durable (the "log"
 * keeps them), commitRecord() for each, the last offset is committed, then commit(). A crash is
 * a stop with the last batch not durable: its records are lost and its offsets never committed.
 */
export class SourceTaskDriver {
  readonly task = new PostgresSourceTask();
  readonly logger = recordingLogger();
  readonly reporter = new RecordingReporter();
  private readonly abort = new AbortController();

  constructor(
    readonly config: Record<string, string>,
    readonly offsets: OffsetStore,
    /** The durable records, in log order. */
    readonly log: SourceRecord[] = [],
  ) {}

  async start(): Promise<this> {
    const context: SourceTaskContext = {
      connector: 'pg-source-test',
      taskId: 0,
      logger: this.logger,
      signal: this.abort.signal,
      reporter: this.reporter,
      offsetStorageReader: {
        offset: async (p) => this.offsets.get(p),
        offsets: async (ps) => {
          const out = new Map<string, Record<string, unknown>>();
          for (const p of ps) {
            const o = this.offsets.get(p);
            if (o) out.set(JSON.stringify(p), o);
          }
          return out;
        },
      },
    };
    await this.task.start(this.config, context);
    return this;
  }

  /** One poll whose records become durable at once. */
  async pollDurable(): Promise<SourceRecord[]> {
    const records = await this.task.poll();
    this.makeDurable(records);
    return records;
  }

  /** Polls until a batch has records, without making them durable (they are "in flight"). */
  async pollInFlight(timeoutMs = 10_000): Promise<SourceRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = await this.task.poll();
      if (records.length > 0) return records;
      if (Date.now() > deadline) throw new Error('timed out waiting for records');
    }
  }

  makeDurable(records: readonly SourceRecord[]): void {
    for (const r of records) {
      expectPayloadText(r);
      this.log.push(r);
      this.task.commitRecord(r, { topic: r.topic, partition: 0, offset: this.log.length - 1 });
    }
    const last = records[records.length - 1];
    if (last) this.offsets.set(last.sourcePartition, last.sourceOffset);
    this.task.commit();
  }

  /** Polls (durably) until `done` holds for the log, or fails after `timeoutMs`. */
  async pollUntil(done: (log: readonly SourceRecord[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.log)) {
      if (Date.now() > deadline)
        throw new Error(`timed out; the log has ${this.log.length} records: ${describe(this.log.slice(-5))}`);
      await this.pollDurable();
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.task.stop();
  }
}

const payloadWriter = new JsonConverter();
payloadWriter.configure({ 'schemas.enable': false }, false);

/**
 * A record's valueJson, where it has one, is the payload JsonConverter writes for its value: the
 * converter may store the text instead of converting the value. Checked for every record the
 * tests make durable, so every type, image and operation they cover checks the text too.
 */
export function expectPayloadText(record: SourceRecord): void {
  if (record.valueJson === undefined) return;
  const written = payloadWriter.fromConnectData(record.topic, [], record.valueSchema, record.value);
  expect(record.valueJson).toBe(written?.toString('utf8'));
}

function describe(records: readonly SourceRecord[]): string {
  return JSON.stringify(records.map((r) => ({ topic: r.topic, key: r.key, op: envelope(r)?.op })));
}

export interface Envelope {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: Record<string, unknown>;
  op: string;
  ts_ms: number;
}

export function envelope(record: SourceRecord): Envelope | null {
  return record.value as Envelope | null;
}

/** The change events (tombstones and heartbeats left out) of a topic. */
export function eventsOf(log: readonly SourceRecord[], topic: string): Envelope[] {
  return log.filter((r) => r.topic === topic && r.value !== null).map((r) => envelope(r)!);
}

/** Applies events by key, as an upserting sink would: the table the topic describes. */
export function materialize(
  log: readonly SourceRecord[],
  topic: string,
  keyField = 'id',
): Map<string, unknown> {
  const rows = new Map<string, unknown>();
  for (const r of log) {
    if (r.topic !== topic || r.value === null) continue;
    const e = envelope(r)!;
    const key = String((r.key as Record<string, unknown>)[keyField]);
    if (e.op === 'd') rows.delete(key);
    else if (e.after) rows.set(key, e.after);
  }
  return rows;
}
