import {
  DataError,
  writeJson,
  type ConnectHeader,
  type Schema,
  type ConnectorSignal,
  type TaskReporter,
  type ConnectLogger,
  type Converter,
  type HttpIngress,
  type IngressHandler,
  type IngressOptions,
  type IngressResponse,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@sluice/connect-api';
import {
  DefaultPartitioner,
  type Log,
  recordDataBuffer,
  recordDataLength,
  type Producer,
  type ProducerRecord,
  type RecordData,
  type RecordMetadata,
} from '@sluice/log';
import type { TransformationChain } from '../config/transformation-chain.js';
import type { ErrorReporter } from '../errors/error-reporter.js';
import type { RetryWithTolerance } from '../errors/retry-with-tolerance.js';
import type { TaskMetrics } from '../metrics/task-metrics.js';
import { currentValueJson } from './value-json.js';
import { taskReporter } from '../metrics/task-reporter.js';
import type { TaskOffsets } from '../offsets/task-offsets.js';
import { SourceOffsetStore as OffsetKeys } from '../offsets/source-offset-store.js';
import {
  BATCH_POSITION_KEY,
  durablePrefixes,
  SOURCE_OFFSET_HEADER,
  type SourceOffsetMark,
} from '../offsets/source-offset-header.js';
import { stableJson } from '../storage/stable-json.js';
import { toLogHeaders } from './header-mapping.js';
import type { TaskId, TaskStatusListener, WorkerTask } from './task-status.js';
import { isRuntimeTopic, runtimeTopicProblem } from '../storage/internal-topics.js';

export interface WorkerSourceTaskOptions {
  id: TaskId;
  task: SourceTask;
  /** Resolved (providers applied) task config. */
  config: Readonly<Record<string, string>>;
  log: Log;
  producer: Producer;
  keyConverter: Converter;
  valueConverter: Converter;
  transforms: TransformationChain<SourceRecord>;
  tolerance: RetryWithTolerance;
  errorReporter: ErrorReporter;
  offsets: TaskOffsets;
  offsetFlushIntervalMs: number;
  topicPartitions: number;
  /** A topic the connector wrote to for the first time (GET /connectors/{name}/topics). */
  onTopicUsed: (topic: string) => Promise<void>;
  status: TaskStatusListener;
  metrics: TaskMetrics;
  logger: ConnectLogger;
  ingress: HttpIngress;
}

/** Target size of one record batch the task writes (under the producer's 1 MiB batches). */
const CHUNK_BYTES = 512 * 1024;

function byteSize(data: RecordData | null | undefined): number {
  return data === null || data === undefined ? 0 : recordDataLength(data);
}

/** A value for a log line: its JSON where it has one (bigints and bytes too). */
function described(value: unknown): string {
  try {
    return value === undefined ? 'undefined' : writeJson(value);
  } catch {
    return String(value);
  }
}

function pausedAnswer(connector: string, options: IngressOptions | undefined): IngressResponse {
  return {
    status: 503,
    headers: { 'retry-after': String(options?.retryAfterSeconds ?? 5) },
    body: {
      error_code: 503,
      message: `connector ${connector} is paused: it takes no requests until resumed`,
    },
  };
}

/** Where a source record failed before reaching the log. */
type RecordStage = 'TRANSFORMATION' | 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'KAFKA_PRODUCE';

/** A converted record: its index in the poll batch, its approximate size in a batch, the record. */
interface Converted {
  index: number;
  size: number;
  converted: SourceRecord;
  record: ProducerRecord;
}

/** A record batch's own bytes (its header), beside its records'. */
const RECORD_BATCH_OVERHEAD = 61;

/** Poll batches written but not yet durable, at most; beyond it the task stops polling. */
const MAX_BATCHES_IN_FLIGHT = 4;

/** Where a record landed; null when a transform dropped it or its failure was tolerated. */
type Landed = { topic: string; partition: number; offset: number } | null;

/**
 * Where a chunk of a poll batch landed: its records (by index in the batch) at the offsets of its
 * record batches, in order. Per-record positions are made from it only when a task asks (kept
 * per record, they outlived the nursery and cost every garbage collection).
 */
interface LandedChunk {
  indices: Int32Array;
  batches: RecordMetadata[];
}

interface SentBatch {
  chunks: LandedChunk[];
  reached: Record<string, number>;
  /** The batch's sequence in its offset marks; null when nothing of it was written. */
  seq: number | null;
}

interface InFlightBatch {
  /** Settles once the batch is durable and its records were committed to the task, in poll order. */
  completed: Promise<void>;
}

/**
 * Runs a source task: poll, transform, convert, write to the log. Offsets of a poll batch become
 * committable only once every record of it (and of every earlier batch) is durable in the log, so
 * a crash never skips data; after a crash, records after the last committed offset repeat.
 * Memory stays bounded: at most MAX_BATCHES_IN_FLIGHT poll batches are outstanding.
 */
export class WorkerSourceTask implements WorkerTask {
  readonly id: TaskId;
  private readonly abort = new AbortController();
  private paused = false;
  /** While paused: nothing is left to poll (see pause()). */
  private drained = true;
  /** Pauses so far, to tell a poll begun in the current one. */
  private pauses = 0;
  private resumeWaiter: (() => void) | null = null;
  private readonly inFlight: InFlightBatch[] = [];
  /** The last batch's completion: each batch completes after the one before it. */
  private lastCompletion: Promise<void> = Promise.resolve();
  /** Batches sent and not yet complete (some of inFlight may be complete already). */
  private incomplete = 0;
  /** Latest durable offset per source partition, not yet committed. */
  private readonly pendingOffsets = new Map<
    string,
    { partition: Record<string, unknown>; offset: Record<string, unknown> }
  >();
  private readonly knownTopics = new Set<string>();
  /** max.message.bytes of each topic written to, as it was when first written. */
  private readonly maxMessageBytes = new Map<string, number>();
  /** Log positions covered by the pending offsets: "topic:partition" → next offset. */
  private pendingPositions: Record<string, number> = {};
  private readonly partitioner = new DefaultPartitioner();
  private readonly partitionKeys = new WeakMap<object, string>();
  private readonly partitionKeysByText = new Map<string, string>();
  private lastCommit = Date.now();
  /** Sequence of the next poll batch written, continuing the committed one's (see the offset marks). */
  private nextBatch = 0;
  private runner: Promise<void> = Promise.resolve();
  private started: { resolve: () => void } | null = null;
  done: Promise<void> = Promise.resolve();

  /** The task's ingest registrations, dropped when it stops. */
  private readonly ingressRegistrations: (() => void)[] = [];
  private readonly ingress: HttpIngress;

  private readonly reporter: TaskReporter;
  /** The converters' output for the log: text where they offer it (written into batches as is). */
  private readonly keyBytes: ConvertOut;
  private readonly valueBytes: ConvertOut;
  /** The value converter's output for a value given as its JSON text, where it takes one. */
  private readonly valueJsonText:
    ((topic: string, json: string, schema: Schema | null) => RecordData | null) | undefined;

  constructor(private readonly o: WorkerSourceTaskOptions) {
    this.keyBytes = converterOutput(o.keyConverter);
    this.valueBytes = converterOutput(o.valueConverter);
    this.valueJsonText = o.valueConverter.fromConnectJsonText?.bind(o.valueConverter);
    this.reporter = taskReporter(o.metrics);
    this.id = o.id;
    // a paused task takes no requests: holding them until a resume would time senders out, and
    // their retries would then be stored twice
    const guard =
      (handler: IngressHandler, options?: IngressOptions): IngressHandler =>
      (request) =>
        this.paused ? Promise.resolve(pausedAnswer(o.id.connector, options)) : handler(request);
    this.ingress = {
      register: (handler, options) => {
        const unregister = o.ingress.register(guard(handler, options));
        this.ingressRegistrations.push(unregister);
        return unregister;
      },
      guard,
    };
  }

  start(): Promise<void> {
    const started = new Promise<void>((resolve) => (this.started = { resolve }));
    this.runner = this.run();
    this.done = this.runner;
    return started;
  }

  private get labels(): { connector: string; task: string } {
    return { connector: this.id.connector, task: String(this.id.task) };
  }

  private context(): SourceTaskContext {
    const { connector, task } = this.id;
    return {
      connector,
      taskId: task,
      logger: this.o.logger,
      signal: this.abort.signal,
      reporter: this.reporter,
      ingress: this.ingress,
      offsetStorageReader: {
        offset: async (partition) => this.o.offsets.offset(partition),
        offsets: async (partitions) => {
          const out = new Map<string, Record<string, unknown>>();
          for (const p of partitions) {
            const offset = this.o.offsets.offset(p);
            if (offset) out.set(OffsetKeys.key(connector, p), offset);
          }
          return out;
        },
      },
    };
  }

  private async run(): Promise<void> {
    const { task, status } = this.o;
    try {
      await task.start(this.o.config, this.context());
    } catch (err) {
      this.started?.resolve();
      status.onTaskState(this.id.connector, this.id.task, 'FAILED', err as Error);
      await this.safeStop();
      return;
    }
    this.nextBatch = (this.o.offsets.positions()[BATCH_POSITION_KEY] ?? -1) + 1;
    status.onTaskState(this.id.connector, this.id.task, this.paused ? 'PAUSED' : 'RUNNING');
    this.started?.resolve();
    let failure: Error | null = null;
    try {
      while (!this.abort.signal.aborted) {
        if (this.paused && this.drained) {
          await this.waitForResume();
          continue;
        }
        // only a poll begun after the pause shows that nothing taken before it is left
        const pauseBefore = this.paused ? this.pauses : -1;
        const records = await this.poll();
        if (records === null) continue;
        if (records.length === 0 && this.paused && pauseBefore === this.pauses) this.drained = true;
        if (records.length > 0) {
          this.o.metrics.sourceRecordsPolled(records.length);
          this.track(records, (await this.send(records)).done);
        }
        // an empty poll waits for the oldest batch, so a task that returns at once cannot spin
        while (
          this.inFlight.length >= MAX_BATCHES_IN_FLIGHT ||
          (this.inFlight.length > 0 && records.length === 0)
        ) {
          await this.completeOldest();
        }
        await this.maybeCommitOffsets(false);
      }
    } catch (err) {
      if (!this.abort.signal.aborted) failure = err as Error;
    }
    try {
      while (this.inFlight.length > 0) await this.completeOldest();
      await this.maybeCommitOffsets(true);
    } catch (err) {
      failure ??= err as Error;
    }
    await this.safeStop();
    if (failure) status.onTaskState(this.id.connector, this.id.task, 'FAILED', failure);
  }

  /**
   * Transforms and converts a poll batch, then hands it to the producer. Offsets are assigned when
   * the producer is called, so batches are issued strictly in poll order: every await (topic
   * creation, error reporting) happens before the issue or after it, never between two batches'.
   * Resolves with where each record landed, once all are durable.
   */
  private async send(records: SourceRecord[]): Promise<{ done: Promise<SentBatch> }> {
    const { transforms, tolerance } = this.o;
    const byTopic = new Map<string, Converted[]>();
    const failures: { stage: RecordStage; error: Error; record: SourceRecord }[] = [];
    const jsonAsIs = this.valueJsonText;
    for (let i = 0; i < records.length; i++) {
      const original = records[i]!;
      // one try for the three stages (no closure or result object per record); `stage` says
      // which one threw, and `record` what it was given
      let stage: 'TRANSFORMATION' | 'KEY_CONVERTER' | 'VALUE_CONVERTER' = 'TRANSFORMATION';
      let record: SourceRecord | null = original;
      let key: RecordData | null;
      let value: RecordData | null;
      try {
        record = transforms.apply(original);
        if (record === null) continue;
        stage = 'KEY_CONVERTER';
        key = this.keyBytes(record.topic, record.headers, record.keySchema, record.key);
        stage = 'VALUE_CONVERTER';
        const json = jsonAsIs && currentValueJson(record, original);
        value = json === undefined ? null : jsonAsIs!(record.topic, json, record.valueSchema);
        value ??= this.valueBytes(record.topic, record.headers, record.valueSchema, record.value);
      } catch (err) {
        const failed = tolerance.tolerated(stage, err);
        failures.push({ stage, error: failed, record: stage === 'TRANSFORMATION' ? original : record! });
        continue;
      }
      let list = byTopic.get(record.topic);
      if (!list) byTopic.set(record.topic, (list = []));
      const headers = record.headers.length === 0 ? undefined : toLogHeaders(record.headers);
      let size = 64 + byteSize(key) + byteSize(value);
      if (headers !== undefined)
        for (let h = 0; h < headers.length; h++) size += headers[h]!.key.length + byteSize(headers[h]!.value);
      list.push({
        index: i,
        size,
        converted: record,
        record: {
          key,
          value,
          headers,
          timestamp: record.timestamp ?? undefined,
          partition: record.kafkaPartition ?? undefined,
        },
      });
    }
    for (const [topic, list] of byTopic) {
      // a topic setting or a router (RegexRouter, TimestampRouter) could name one: they hold every
      // connector's config and the runtime's state
      if (isRuntimeTopic(topic)) {
        const error = new DataError(`topic ${runtimeTopicProblem(topic)}`);
        for (const l of list)
          failures.push({
            stage: 'KAFKA_PRODUCE',
            error: tolerance.tolerated('KAFKA_PRODUCE', error),
            record: l.converted,
          });
        byTopic.delete(topic);
        continue;
      }
      await this.ensureTopic(topic);
      // A record the topic cannot hold is refused before anything of this batch is written: the
      // producer would refuse its chunk while other chunks became durable, and every retry of the
      // batch would write those again. Under errors.tolerance=all it is skipped (as KIP-779 does).
      const max = (this.maxMessageBytes.get(topic) ?? Infinity) - RECORD_BATCH_OVERHEAD;
      if (!list.some((l) => l.size > max)) continue;
      const fitting: Converted[] = [];
      for (const l of list) {
        if (l.size <= max) fitting.push(l);
        else {
          const error = new DataError(
            `a record of about ${l.size} bytes does not fit max.message.bytes ${max + RECORD_BATCH_OVERHEAD} of topic ${topic}`,
          );
          failures.push({
            stage: 'KAFKA_PRODUCE',
            error: tolerance.tolerated('KAFKA_PRODUCE', error),
            record: l.converted,
          });
        }
      }
      byTopic.set(topic, fitting);
    }
    // from here to the return, nothing awaits: this batch's records get their offsets now
    /** Per topic-partition, the offset after the last record of this batch: its log positions. */
    const reached: Record<string, number> = {};
    const sends: Promise<LandedChunk>[] = [];
    const chunks: { topic: string; chunk: Converted[] }[] = [];
    for (const [topic, list] of byTopic)
      for (const chunk of this.chunks(topic, list)) chunks.push({ topic, chunk });
    const seq = chunks.length > 0 ? this.nextBatch++ : null;
    const prefixes = durablePrefixes(records.length, chunks);
    for (let c = 0; c < chunks.length; c++) {
      const { topic, chunk } = chunks[c]!;
      this.markOffsets(chunk, records, { b: seq!, n: chunks.length, i: c, u: prefixes[c]! });
      // the callback holds indices only: the converted records may go once they are encoded
      const indices = new Int32Array(chunk.length);
      for (let k = 0; k < chunk.length; k++) indices[k] = chunk[k]!.index;
      sends.push(
        this.o.producer.send({ topic, records: chunk.map((l) => l.record) }).then((batches) => {
          const last = batches[batches.length - 1];
          if (last) {
            const tp = `${topic}:${last.partition}`;
            reached[tp] = Math.max(reached[tp] ?? 0, last.lastOffset + 1);
          }
          this.o.metrics.sourceRecordsWritten(indices.length);
          return { indices, batches };
        }),
      );
    }
    const done = Promise.all(sends).then((landed) => ({ chunks: landed, reached, seq }));
    done.catch(() => undefined); // awaited, and its failure surfaced, by completeOldest
    for (const f of failures) await this.tolerated(f.stage, f.error, f.record);
    // wrapped, so awaiting send() waits for the issue, not for durability
    return { done };
  }

  /**
   * Splits a topic's records into single-partition chunks small enough to be one record batch
   * each: a batch is durable all or nothing, which the offset marks rely on.
   */
  private chunks(topic: string, list: Converted[]): Converted[][] {
    const count = this.o.log.storage.partitionCount(topic) ?? 1;
    this.partitioner.nextSend(topic, count);
    // per partition (indexed by number): its chunks and the size of the last; `order` keeps the
    // partitions in the order first seen
    const slots: { chunks: Converted[][]; size: number }[] = [];
    // a chunk is one record batch, which must fit the topic's max.message.bytes
    const chunkBytes = Math.min(
      CHUNK_BYTES,
      (this.maxMessageBytes.get(topic) ?? Infinity) - RECORD_BATCH_OVERHEAD,
    );
    const order: number[] = [];
    for (const l of list) {
      const r = l.record;
      // a one-partition topic needs no key hashing (and no Buffer of a text key)
      const partition =
        r.partition ??
        (count === 1
          ? 0
          : this.partitioner.partition(
              topic,
              r.key === null || r.key === undefined ? null : recordDataBuffer(r.key),
              count,
            ));
      r.partition = partition;
      const size = l.size;
      let slot = slots[partition];
      if (slot === undefined) {
        slots[partition] = slot = { chunks: [[]], size: 0 };
        order.push(partition);
      }
      let last = slot.chunks[slot.chunks.length - 1]!;
      if (slot.size + size > chunkBytes && last.length > 0) {
        slot.chunks.push((last = []));
        slot.size = 0;
      }
      last.push(l);
      slot.size += size;
    }
    if (order.length === 1) return slots[order[0]!]!.chunks;
    const out: Converted[][] = [];
    for (const partition of order) out.push(...slots[partition]!.chunks);
    return out;
  }

  /**
   * A source partition's identity as text. Connectors usually reuse a partition object, or build
   * equal ones with keys in the same order: both are cheap hits here before the key-sorting form.
   */
  private partitionKey(partition: Readonly<Record<string, unknown>>): string {
    const cached = this.partitionKeys.get(partition);
    if (cached !== undefined) return cached;
    const plain = JSON.stringify(partition);
    let key = this.partitionKeysByText.get(plain);
    if (key === undefined) {
      key = stableJson(partition);
      if (this.partitionKeysByText.size > 100_000) this.partitionKeysByText.clear();
      this.partitionKeysByText.set(plain, key);
    }
    this.partitionKeys.set(partition, key);
    return key;
  }

  /** Puts each source partition's offset on its last record in the chunk. */
  private markOffsets(
    chunk: { index: number; record: ProducerRecord }[],
    records: SourceRecord[],
    batch: { b: number; n: number; i: number; u: number },
  ): void {
    const last = new Map<string, { index: number; record: ProducerRecord }>();
    for (const l of chunk) last.set(this.partitionKey(records[l.index]!.sourcePartition), l);
    for (const l of last.values()) {
      const source = records[l.index]!;
      const mark: SourceOffsetMark = {
        c: this.id.connector,
        t: this.id.task,
        p: { ...source.sourcePartition },
        o: { ...source.sourceOffset },
        ...batch,
        x: l.index,
      };
      l.record.headers = [
        ...(l.record.headers ?? []),
        { key: SOURCE_OFFSET_HEADER, value: JSON.stringify(mark) },
      ];
    }
  }

  /**
   * The task's next records; null after a DataError that errors.tolerance let pass (a record the
   * task could not read and stepped over, such as a malformed line).
   */
  private async poll(): Promise<SourceRecord[] | null> {
    const result = await this.o.tolerance.taskCall(
      'TASK_POLL',
      () => this.o.task.poll(),
      this.abort.signal,
      (err, delay) =>
        this.o.logger.warn(
          { err },
          `task ${this.id.connector}-${this.id.task} could not poll (${(err as Error).message}); retrying in ${delay} ms`,
        ),
    );
    if ('ok' in result) return result.ok;
    this.o.metrics.recordError('TASK_POLL');
    this.o.metrics.recordSkipped();
    await this.o.errorReporter.report({ stage: 'TASK_POLL', error: result.failed });
    return null;
  }

  private async tolerated(stage: RecordStage, error: Error, record: SourceRecord): Promise<void> {
    this.o.metrics.recordError(stage);
    this.o.metrics.recordSkipped();
    await this.o.errorReporter.report({
      stage,
      error,
      describe: () => `topic=${record.topic} key=${described(record.key)} value=${described(record.value)}`,
    });
  }

  /**
   * Creates the topic if needed and, the first time this task writes to it, commits its current
   * end offsets as the task's positions, so a recovery scan never has to start from the beginning.
   */
  private async ensureTopic(topic: string): Promise<void> {
    if (this.knownTopics.has(topic)) return;
    await this.o.log.admin().ensureTopic({ name: topic, partitions: this.o.topicPartitions });
    this.maxMessageBytes.set(
      topic,
      (await this.o.log.storage.describeTopic(topic)).config['max.message.bytes'],
    );
    await this.o.onTopicUsed(topic);
    const committed = this.o.offsets.positions();
    const start: Record<string, number> = {};
    const count = this.o.log.storage.partitionCount(topic) ?? 0;
    for (let p = 0; p < count; p++) {
      if (committed[`${topic}:${p}`] === undefined)
        start[`${topic}:${p}`] = (await this.o.log.storage.offsets(topic, p)).endOffset;
    }
    if (Object.keys(start).length > 0) await this.o.offsets.commit([], start);
    this.knownTopics.add(topic);
  }

  /**
   * Completes a batch as soon as it is durable and every earlier batch is complete, without
   * waiting for the loop: a task blocked in poll() (a webhook waiting for requests) still hears
   * commitRecord for what it handed out, as Kafka Connect's producer callbacks do.
   */
  private track(records: SourceRecord[], sent: Promise<SentBatch>): void {
    this.incomplete++;
    const completed = this.lastCompletion.then(async () => {
      await this.complete(records, await sent);
      this.incomplete--;
    });
    // awaited, and its failure surfaced, by completeOldest; a failure also fails every later batch
    completed.catch(() => undefined);
    this.lastCompletion = completed;
    this.inFlight.push({ completed });
  }

  /** Waits for the oldest batch to be complete. */
  private async completeOldest(): Promise<void> {
    const batch = this.inFlight[0]!;
    try {
      await batch.completed;
    } finally {
      this.inFlight.shift();
    }
  }

  /** Tells the task where a durable batch's records landed, and records its offsets. */
  private async complete(records: SourceRecord[], sent: SentBatch): Promise<void> {
    const { chunks, reached, seq } = sent;
    for (const tp in reached)
      this.pendingPositions[tp] = Math.max(this.pendingPositions[tp] ?? 0, reached[tp]!);
    if (seq !== null) this.pendingPositions[BATCH_POSITION_KEY] = seq;
    const task = this.o.task;
    if (task.commitRecord) {
      const landed = landedRecords(records.length, chunks);
      for (let i = 0; i < records.length; i++) {
        const acked = task.commitRecord(records[i]!, landed[i] ?? null);
        if (acked instanceof Promise) await acked;
      }
    }
    // the last record of each source partition holds its offset; consecutive records usually
    // share the partition object, so most are skipped without computing a key
    let previous: object | null = null;
    const seen = new Set<string>();
    for (let i = records.length - 1; i >= 0; i--) {
      const record = records[i]!;
      if (record.sourcePartition === previous) continue;
      previous = record.sourcePartition;
      const key = this.partitionKey(record.sourcePartition);
      if (seen.has(key)) continue;
      seen.add(key);
      // references only: records are immutable, and the commit copies them into JSON
      this.pendingOffsets.set(key, { partition: record.sourcePartition, offset: record.sourceOffset });
    }
  }

  private async maybeCommitOffsets(force: boolean): Promise<void> {
    if (!force && Date.now() - this.lastCommit < this.o.offsetFlushIntervalMs) return;
    this.lastCommit = Date.now();
    if (this.pendingOffsets.size === 0) return;
    const started = performance.now();
    const offsets = [...this.pendingOffsets.values()];
    const positions = this.pendingPositions;
    // commit() promises the task that all it returned is durable: not so while batches are out
    const everythingDurable = this.incomplete === 0;
    this.pendingOffsets.clear();
    this.pendingPositions = {};
    await this.o.offsets.commit(offsets, positions);
    this.o.metrics.offsetCommitSeconds((performance.now() - started) / 1000);
    if (everythingDurable) await this.o.task.commit?.();
  }

  private waitForResume(): Promise<void> {
    return new Promise((resolve) => {
      this.resumeWaiter = resolve;
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  pause(): void {
    this.paused = true;
    this.pauses++;
    // a task taking ingest requests still hands out what it took before the pause (its senders
    // wait for an answer; the guard refuses new ones meanwhile): polled until a poll is empty
    this.drained = this.ingressRegistrations.length === 0;
    this.o.status.onTaskState(this.id.connector, this.id.task, 'PAUSED');
  }

  resume(): void {
    this.paused = false;
    this.resumeWaiter?.();
    this.resumeWaiter = null;
    this.o.status.onTaskState(this.id.connector, this.id.task, 'RUNNING');
  }

  async signal(signal: ConnectorSignal): Promise<boolean> {
    const task = this.o.task;
    if (!task.handleSignal || this.abort.signal.aborted) return false;
    await task.handleSignal(signal);
    return true;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.resumeWaiter?.();
    await this.runner;
  }

  private async safeStop(): Promise<void> {
    for (const unregister of this.ingressRegistrations.splice(0)) unregister();
    try {
      await this.o.task.stop();
    } catch (err) {
      this.o.logger.warn({ err }, `task ${this.id.connector}-${this.id.task} failed to stop cleanly`);
    }
    this.o.transforms.close();
    this.o.metrics.taskStopped();
  }
}

/** Where each record of a poll batch landed, from its chunks' record batches. */
function landedRecords(count: number, chunks: readonly LandedChunk[]): Landed[] {
  const landed = new Array<Landed>(count).fill(null);
  for (const { indices, batches } of chunks) {
    let k = 0;
    for (const { topic, partition, baseOffset, lastOffset } of batches)
      for (let offset = baseOffset; offset <= lastOffset && k < indices.length; offset++)
        landed[indices[k++]!] = { topic, partition, offset };
  }
  return landed;
}

type ConvertOut = (
  topic: string,
  headers: readonly ConnectHeader[],
  schema: Schema | null,
  value: unknown,
) => RecordData | null;

function converterOutput(converter: Converter): ConvertOut {
  const text = converter.fromConnectDataText;
  return text ? text.bind(converter) : converter.fromConnectData.bind(converter);
}
