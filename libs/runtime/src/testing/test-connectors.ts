import {
  ConfigField,
  ConfigPrefix,
  ConnectError,
  DataError,
  parseConfig,
  RetriableError,
  type PluginDescriptor,
  type SinkConnector,
  type SinkOffsetChange,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type SourceConnector,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
  type TopicPartition,
  type ConnectorSignal,
  type ConnectLogger,
  type IngressResponse,
  type TaskReporter,
} from '@sluice/connect-api';
import { IsBoolean, IsIn, IsInt, IsString, Min, MinLength } from 'class-validator';

/*
 * Small connectors for the runtime's own tests: a source that emits a numbered sequence (and
 * resumes from its committed offset), a source that takes ingest requests, and a sink that keeps
 * what it receives in memory.
 */

class SequenceSourceConfig {
  @ConfigField({ doc: 'Topic to write to.', required: true })
  @IsString()
  @MinLength(1)
  topic = '';

  @ConfigField({ doc: 'Records per task.' })
  @IsInt()
  @Min(0)
  count = 10;

  @ConfigField({ doc: 'Records per poll.' })
  @IsInt()
  @Min(1)
  batch = 5;

  @ConfigField({ doc: 'Fail when reaching this number (-1: never).' })
  @IsInt()
  'fail.at' = -1;

  @ConfigField({ doc: 'How many task instances fail at fail.at before one gets past it (-1: all).' })
  @IsInt()
  'fail.times' = -1;

  @ConfigField({ doc: 'The first polls throw a RetriableError (a connection lost), this many of them.' })
  @IsInt()
  @Min(0)
  'poll.retriable.failures' = 0;

  @ConfigField({
    doc: 'This number cannot be read: a poll reaching it steps over it and throws a DataError (-1: none).',
  })
  @IsInt()
  'unreadable.at' = -1;

  @ConfigField({ doc: 'This number gets a pad of pad.bytes characters in its value (-1: none).' })
  @IsInt()
  'pad.at' = -1;

  @ConfigField({ doc: 'The size of the pad of pad.at.' })
  @IsInt()
  @Min(0)
  'pad.bytes' = 0;

  @ConfigField({ doc: 'A secret, to test redaction.', secret: true })
  password = '';

  @ConfigField({ doc: 'stop() never returns (a task stuck in a call).' })
  @IsBoolean()
  'stop.hangs' = false;

  @ConfigField({ doc: 'Keys cycle through this many values, k0, k1, ... (0: one key per task, t<task>).' })
  @IsInt()
  @Min(0)
  keys = 0;

  @ConfigField({
    doc: 'Each poll first waits (up to 5 s) until commitRecord came for every record returned so far.',
  })
  @IsBoolean()
  'poll.waits.for.acks' = false;

  @ConfigField({
    doc: 'Records carry their value as JSON text too (valueJson), with the keys in the opposite order, so tests can tell which was stored.',
  })
  @IsBoolean()
  'value.json' = false;
}

/** Failures so far per topic, for fail.times. */
const failures = new Map<string, number>();

/** What a source with poll.waits.for.acks saw, per topic. */
export const AckProbe = {
  /** Polls that waited 5 s for acks in vain. */
  stalls: new Map<string, number>(),
  /** commit() calls made while records it had returned were not yet committed. */
  earlyCommits: new Map<string, number>(),
};

const bump = (counts: Map<string, number>, topic: string): void => {
  counts.set(topic, (counts.get(topic) ?? 0) + 1);
};

export class SequenceSourceTask implements SourceTask {
  private config!: SequenceSourceConfig;
  private next = 0;
  private task = 0;
  private signal!: AbortSignal;
  private reporter: TaskReporter | undefined;
  private returned = 0;
  private acked = 0;
  private retriableFailures = 0;
  private logger: ConnectLogger | null = null;

  async start(config: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const parsed = parseConfig(SequenceSourceConfig, config);
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.messages.join()).join('; '));
    this.config = parsed.config;
    this.task = context.taskId;
    this.signal = context.signal;
    this.reporter = context.reporter;
    this.logger = context.logger;
    const offset = await context.offsetStorageReader.offset({ task: this.task });
    this.next = typeof offset?.['next'] === 'number' ? offset['next'] : 0;
  }

  /** `jump` signals move the sequence to data.next (tests of signals); others are refused. */
  handleSignal(signal: ConnectorSignal): void {
    const next = signal.data['next'];
    if (signal.type !== 'jump' || typeof next !== 'number' || !Number.isInteger(next) || next < 0)
      throw new DataError(`sequence source takes only {"type": "jump", "data": {"next": <n>}}`);
    this.next = next;
  }

  commitRecord(): void {
    this.acked++;
  }

  commit(): void {
    if (this.config['poll.waits.for.acks'] && this.acked < this.returned)
      bump(AckProbe.earlyCommits, this.config.topic);
  }

  private async waitForAcks(): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (this.acked < this.returned && !this.signal.aborted) {
      if (Date.now() > deadline) return bump(AckProbe.stalls, this.config.topic);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.retriableFailures < this.config['poll.retriable.failures']) {
      this.retriableFailures++;
      throw new RetriableError(`connection lost (failure ${this.retriableFailures} of the sequence source)`);
    }
    if (this.config['poll.waits.for.acks']) await this.waitForAcks();
    // the level of the logger the runtime gave it, as a gauge (tests of /admin/loggers)
    const level = (this.logger as { level?: unknown } | null)?.level;
    this.reporter?.gauge(
      'sequence_logger_debug',
      'Whether its logger logs debug',
      level === 'debug' ? 1 : 0,
      {},
    );
    if (this.next >= this.config.count) {
      this.reporter?.progress(null);
      await new Promise((r) => setTimeout(r, 20));
      return [];
    }
    this.reporter?.progress({
      phase: 'sequence',
      items: [{ name: this.config.topic, done: this.next, total: this.config.count }],
    });
    this.reporter?.gauge('sequence_next', 'Next number of the sequence', this.next, {
      topic: this.config.topic,
    });
    if (this.signal.aborted) return [];
    const records: SourceRecord[] = [];
    const end = Math.min(this.config.count, this.next + this.config.batch);
    for (let n = this.next; n < end; n++) {
      if (n === this.config['unreadable.at']) {
        // the records before it go out first; the next poll steps over it, as file-source does
        if (records.length > 0) {
          this.next = n;
          this.returned += records.length;
          return records;
        }
        this.next = n + 1;
        throw new DataError(`sequence number ${n} is unreadable`);
      }
      if (n === this.config['fail.at']) {
        const failed = failures.get(this.config.topic) ?? 0;
        if (this.config['fail.times'] < 0 || failed < this.config['fail.times']) {
          failures.set(this.config.topic, failed + 1);
          throw new Error(`sequence source failed at ${n} as configured`);
        }
      }
      records.push({
        topic: this.config.topic,
        kafkaPartition: null,
        keySchema: null,
        key: this.config.keys > 0 ? `k${n % this.config.keys}` : `t${this.task}`,
        valueSchema: null,
        value:
          n === this.config['pad.at']
            ? { task: this.task, n, pad: 'x'.repeat(this.config['pad.bytes']) }
            : { task: this.task, n },
        ...(this.config['value.json'] ? { valueJson: `{"n":${n},"task":${this.task}}` } : {}),
        timestamp: null,
        headers: [],
        sourcePartition: { task: this.task },
        sourceOffset: { next: n + 1 },
      });
    }
    this.next = end;
    this.returned += records.length;
    return records;
  }

  stop(): Promise<void> | void {
    if (this.config['stop.hangs']) return new Promise<void>(() => undefined);
  }
}

export class SequenceSource implements SourceConnector {
  readonly kind = 'source' as const;
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return '0.0.1';
  }

  configClass(): new () => object {
    return SequenceSourceConfig;
  }

  start(config: Readonly<Record<string, string>>): void {
    this.config = config;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.config }));
  }

  createTask(): SourceTask {
    return new SequenceSourceTask();
  }

  stop(): void {}
}

class IngressSourceConfig {
  @ConfigField({ doc: 'Topic the requests go to.', importance: 'HIGH' })
  @IsString()
  @MinLength(1)
  topic = '';
}

/**
 * Lets a test hold the ingress source's next poll after it took its records: close() resolves
 * once a poll waits there, open() lets it return. A request and a pause can then come between a
 * poll's take and the runtime's next look at the task.
 */
export const IngressGate = {
  waiting: null as { reached: () => void; opened: Promise<void> } | null,
  open: (): void => undefined,
  close(): Promise<void> {
    return new Promise<void>((reached) => {
      const opened = new Promise<void>((resolve) => (this.open = resolve));
      this.waiting = { reached, opened };
    });
  },
};

const ANSWER = Symbol('answer');
type AnsweredRecord = SourceRecord & { [ANSWER]?: (response: IngressResponse) => void };

/** Each ingest request is one record (its body as the value), answered 200 once durable. */
export class IngressSourceTask implements SourceTask {
  private queue: SourceRecord[] = [];
  private topic = '';

  start(config: Readonly<Record<string, string>>, context: SourceTaskContext): void {
    this.topic = config['topic'] ?? '';
    context.ingress?.register(
      (request) =>
        new Promise((resolve) => {
          const record: AnsweredRecord = {
            topic: this.topic,
            kafkaPartition: null,
            keySchema: null,
            key: null,
            valueSchema: null,
            value: request.body.toString('utf8'),
            timestamp: null,
            headers: [],
            sourcePartition: {},
            sourceOffset: {},
            [ANSWER]: resolve,
          };
          this.queue.push(record);
        }),
    );
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.queue.length === 0) await new Promise((r) => setTimeout(r, 10));
    const out = this.queue;
    this.queue = [];
    const gate = IngressGate.waiting;
    if (gate) {
      IngressGate.waiting = null;
      gate.reached();
      await gate.opened;
    }
    return out;
  }

  commitRecord(record: SourceRecord): void {
    (record as AnsweredRecord)[ANSWER]?.({ status: 200, body: { stored: true } });
  }

  stop(): void {}
}

export class IngressSource implements SourceConnector {
  readonly kind = 'source' as const;
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return '0.0.1';
  }

  configClass(): new () => object {
    return IngressSourceConfig;
  }

  start(config: Readonly<Record<string, string>>): void {
    this.config = config;
  }

  taskConfigs(): Record<string, string>[] {
    return [{ ...this.config }];
  }

  createTask(): SourceTask {
    return new IngressSourceTask();
  }

  stop(): void {}
}

/** memory.extra.* settings are read by prefix (none are used): a family the runtime leaves alone. */
@ConfigPrefix('memory.extra.')
class MemorySinkConfig {
  @ConfigField({ doc: 'Where the records are kept (MemorySink.received key).', required: true })
  @IsString()
  @MinLength(1)
  bucket = '';

  @ConfigField({ doc: 'Report records whose value has n equal to this as errant (-1: none).' })
  @IsInt()
  'errant.n' = -1;

  @ConfigField({
    doc: 'Report errant records at the next flush, after put() returned (as asynchronous sinks do).',
  })
  @IsBoolean()
  'errant.on.flush' = false;

  @ConfigField({ doc: 'What the first put.failures calls of put() throw (none: they do not fail).' })
  @IsIn(['none', 'retriable', 'data', 'fatal'])
  'put.failure' = 'none';

  @ConfigField({ doc: 'How many put() calls fail with put.failure (-1: every one).' })
  @IsInt()
  'put.failures' = -1;

  @ConfigField({
    doc: 'Offset each opened partition is rewound to in open() (-1: none), as sinks keeping their own offsets do.',
  })
  @IsInt()
  'open.seek' = -1;
}

export class MemorySinkTask implements SinkTask {
  private bucket = '';
  private errantN = -1;
  private errantOnFlush = false;
  private failure = 'none';
  private failuresLeft = -1;
  private openSeek = -1;
  private readonly deferred: SinkRecord[] = [];
  private context!: SinkTaskContext;

  start(config: Readonly<Record<string, string>>, context: SinkTaskContext): void {
    const parsed = parseConfig(MemorySinkConfig, config);
    if (!parsed.ok) throw new Error('bad memory sink config');
    this.bucket = parsed.config.bucket;
    this.errantN = parsed.config['errant.n'];
    this.errantOnFlush = parsed.config['errant.on.flush'];
    this.failure = parsed.config['put.failure'];
    this.failuresLeft = parsed.config['put.failures'];
    this.openSeek = parsed.config['open.seek'];
    this.context = context;
  }

  open(partitions: TopicPartition[]): void {
    if (this.openSeek >= 0) for (const tp of partitions) this.context.offset(tp, this.openSeek);
  }

  async flush(): Promise<void> {
    for (const r of this.deferred.splice(0))
      await this.context.errantRecordReporter.report(
        r,
        new DataError(`record n=${this.errantN} refused later`),
      );
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (this.failure !== 'none' && records.length > 0 && this.failuresLeft !== 0) {
      if (this.failuresLeft > 0) this.failuresLeft--;
      MemorySink.failedPuts.set(this.bucket, (MemorySink.failedPuts.get(this.bucket) ?? 0) + 1);
      if (this.failure === 'retriable') throw new RetriableError('memory sink target unavailable');
      if (this.failure === 'data') throw new DataError('memory sink cannot take these records');
      throw new ConnectError('memory sink target is gone');
    }
    if (records.length > 0)
      MemorySink.putSizes.set(this.bucket, [...(MemorySink.putSizes.get(this.bucket) ?? []), records.length]);
    const list = MemorySink.received.get(this.bucket) ?? [];
    for (const r of records) {
      if ((r.value as { n?: number } | null)?.n === this.errantN) {
        if (this.errantOnFlush) {
          this.deferred.push(r);
          continue;
        }
        await this.context.errantRecordReporter.report(r, new DataError(`record n=${this.errantN} refused`));
        continue;
      }
      list.push(r);
    }
    MemorySink.received.set(this.bucket, list);
  }

  stop(): void {}
}

export class MemorySink implements SinkConnector {
  static readonly received = new Map<string, SinkRecord[]>();
  /** How many put() calls failed (put.failure), per bucket. */
  static readonly failedPuts = new Map<string, number>();
  /** How many records each put() got, per bucket. */
  static readonly putSizes = new Map<string, number[]>();
  /** What alterOffsets was given, per bucket; an offset of 13 is refused (a DataError). */
  static readonly alteredOffsets = new Map<string, SinkOffsetChange[][]>();
  readonly kind = 'sink' as const;
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return '0.0.1';
  }

  configClass(): new () => object {
    return MemorySinkConfig;
  }

  start(config: Readonly<Record<string, string>>): void {
    this.config = config;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.config }));
  }

  createTask(): SinkTask {
    return new MemorySinkTask();
  }

  alterOffsets(config: Readonly<Record<string, string>>, offsets: readonly SinkOffsetChange[]): boolean {
    if (offsets.some((o) => o.offset === 13)) throw new DataError('memory sink cannot resume at 13');
    const bucket = config['bucket'] ?? '';
    MemorySink.alteredOffsets.set(bucket, [...(MemorySink.alteredOffsets.get(bucket) ?? []), [...offsets]]);
    return true;
  }

  stop(): void {}
}

export const TEST_CONNECTOR_PLUGINS: PluginDescriptor[] = [
  {
    type: 'source',
    name: 'sequence-source',
    className: 'test.SequenceSource',
    version: '0.0.1',
    create: () => new SequenceSource(),
  },
  {
    type: 'source',
    name: 'ingress-source',
    className: 'test.IngressSource',
    version: '0.0.1',
    create: () => new IngressSource(),
  },
  {
    type: 'sink',
    name: 'memory-sink',
    className: 'test.MemorySink',
    version: '0.0.1',
    create: () => new MemorySink(),
  },
];
