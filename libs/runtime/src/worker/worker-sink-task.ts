import {
  withRecord,
  type TaskReporter,
  type ConnectLogger,
  type Converter,
  type PartitionOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
} from '@sluice/connect-api';
import {
  isLogError,
  type Consumer,
  type Log,
  type LogRecord,
  type PartitionRecords,
  type RebalanceListener,
} from '@sluice/log';
import type { TransformationChain } from '../config/transformation-chain.js';
import type { ConsumedRecord, ErrorReporter } from '../errors/error-reporter.js';
import type { ErrorStage } from '../errors/error-stage.js';
import type { RetryWithTolerance } from '../errors/retry-with-tolerance.js';
import type { TaskMetrics } from '../metrics/task-metrics.js';
import { taskReporter } from '../metrics/task-reporter.js';
import { toConnectHeaders, toLogHeaders } from './header-mapping.js';
import type { TaskId, TaskStatusListener, WorkerTask } from './task-status.js';
import { currentValueJson } from './value-json.js';

export interface WorkerSinkTaskOptions {
  id: TaskId;
  task: SinkTask;
  config: Readonly<Record<string, string>>;
  log: Log;
  /** The connector's consumer group: connect-<name>. */
  groupId: string;
  topics: string[];
  topicsRegex: RegExp | null;
  /** A topic topicsRegex matched, for the connector's active topics. */
  onTopicUsed?: (topic: string) => Promise<void>;
  keyConverter: Converter;
  valueConverter: Converter;
  transforms: TransformationChain<SinkRecord>;
  tolerance: RetryWithTolerance;
  errorReporter: ErrorReporter;
  offsetFlushIntervalMs: number;
  status: TaskStatusListener;
  metrics: TaskMetrics;
  logger: ConnectLogger;
  /** Records per poll (memory bound). */
  maxPollRecords?: number;
  /** Bytes per partition fetch (memory bound). */
  maxPartitionFetchBytes?: number;
  /** Kafka's max.poll.interval.ms for the task's consumer. */
  maxPollIntervalMs?: number;
}

/** Records converted between two turns of the event loop. */
const YIELD_EVERY = 512;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const key = (tp: TopicPartition): string => `${tp.topic}:${tp.partition}`;

/** How often a topics.regex sink looks for new topics that match. */
const TOPICS_REGEX_REFRESH_MS = 5000;

/**
 * The raw record a SinkRecord was converted from, on the record itself (a symbol: invisible to
 * connectors, and carried by withRecord's copies), for records reported after their put().
 */
const RAW = Symbol('sluice.rawRecord');
type WithRaw = SinkRecord & { [RAW]?: ConsumedRecord };

/** What a commit answers a member no longer in its group's current generation: it rejoins. */
const REJOIN_CODES = ['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS'] as const;

/**
 * Runs a sink task as a member of the connector's consumer group: poll, convert, transform, put,
 * and every offset.flush.interval.ms preCommit (the task flushes) then commit the offsets it
 * returned. Offsets are committed only after the task said its writes are durable, so a crash
 * redelivers at most what was not yet flushed. Memory stays flat: a poll holds at most
 * maxPollRecords records, and nothing more is read while put() works.
 */
export class WorkerSinkTask implements WorkerTask {
  readonly id: TaskId;
  private readonly abort = new AbortController();
  private consumer: Consumer | null = null;
  private paused = false;
  /** Next offset to commit per partition: past every record handed to put() (or skipped). */
  private readonly current: PartitionOffsets = new Map();
  private readonly rewinds = new Map<string, { tp: TopicPartition; offset: number }>();
  private readonly taskPaused = new Map<string, TopicPartition>();
  private commitRequested = false;
  /** The poll being put: its raw records go to the DLQ when put() fails or reports them. */
  private polledNow: readonly PartitionRecords[] = [];
  private lastCommit = Date.now();
  private runner: Promise<void> = Promise.resolve();
  done: Promise<void> = Promise.resolve();

  private readonly reporter: TaskReporter;
  constructor(private readonly o: WorkerSinkTaskOptions) {
    this.reporter = taskReporter(o.metrics);
    this.id = o.id;
  }

  private get labels(): { connector: string; task: string } {
    return { connector: this.id.connector, task: String(this.id.task) };
  }

  start(): Promise<void> {
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    this.runner = this.run(started);
    this.done = this.runner;
    return ready;
  }

  private context(): SinkTaskContext {
    return {
      connector: this.id.connector,
      taskId: this.id.task,
      logger: this.o.logger,
      signal: this.abort.signal,
      reporter: this.reporter,
      assignment: () => this.consumer?.assignment() ?? [],
      offset: (tp, offset) => void this.rewinds.set(key(tp), { tp, offset }),
      pause: (tps) => {
        for (const tp of tps) this.taskPaused.set(key(tp), tp);
        this.consumer?.pause(tps.filter((tp) => this.assigned(tp)));
      },
      resume: (tps) => {
        for (const tp of tps) this.taskPaused.delete(key(tp));
        if (!this.paused) this.consumer?.resume(tps.filter((tp) => this.assigned(tp)));
      },
      requestCommit: () => void (this.commitRequested = true),
      topicId: async (topic) => {
        try {
          return (await this.o.log.admin().describeTopic(topic)).topicId;
        } catch (err) {
          if (isLogError(err, 'UNKNOWN_TOPIC')) return null;
          throw err;
        }
      },
      errantRecordReporter: {
        report: async (record, error) => {
          await this.failedRecord('TASK_PUT', error, record);
        },
      },
    };
  }

  private assigned(tp: TopicPartition): boolean {
    return (this.consumer?.assignment() ?? []).some(
      (a) => a.topic === tp.topic && a.partition === tp.partition,
    );
  }

  private async run(started: () => void): Promise<void> {
    const { task, status } = this.o;
    try {
      await task.start(this.o.config, this.context());
    } catch (err) {
      started();
      status.onTaskState(this.id.connector, this.id.task, 'FAILED', err as Error);
      await this.safeStop();
      return;
    }
    const consumer = this.o.log.consumer({
      groupId: this.o.groupId,
      clientId: `${this.id.connector}-${this.id.task}`,
      autoOffsetReset: 'earliest',
      maxPollRecords: this.o.maxPollRecords ?? 2000,
      maxPartitionFetchBytes: this.o.maxPartitionFetchBytes ?? 512 * 1024,
      maxPollIntervalMs: this.o.maxPollIntervalMs,
    });
    this.consumer = consumer;
    let topics: string[] = [];
    let topicsCheckedAt = Date.now();
    let partitionsClosed = false;
    const listener: RebalanceListener = {
      onPartitionsAssigned: async (tps) => {
        await task.open?.(tps);
        // before this poll fetches: no record from before a seek the task asked for in open()
        this.applyRewinds();
        if (this.paused) consumer.pause(tps);
        else consumer.pause(tps.filter((tp) => this.taskPaused.has(key(tp))));
      },
      // as Kafka Connect: once the task has committed and closed its partitions for good, the
      // revocation consumer.close() reports is no news; committing then would take the offsets the
      // task was given (its close() dropped what it had not delivered) as delivered
      onPartitionsRevoked: async (tps) => {
        if (partitionsClosed) return;
        await this.commit(tps);
        await task.close?.(tps);
        for (const tp of tps) this.current.delete(key(tp));
      },
      onPartitionsLost: async (tps) => {
        if (partitionsClosed) return;
        await task.close?.(tps);
        for (const tp of tps) this.current.delete(key(tp));
      },
    };
    try {
      topics = await this.subscribedTopics();
      consumer.subscribe(topics, listener);
    } catch (err) {
      // the worker waits for started(), and nothing else would see this failure
      started();
      status.onTaskState(this.id.connector, this.id.task, 'FAILED', err as Error);
      await consumer.close().catch(() => undefined);
      await this.safeStop();
      return;
    }
    status.onTaskState(this.id.connector, this.id.task, this.paused ? 'PAUSED' : 'RUNNING');
    started();

    let failure: Error | null = null;
    try {
      while (!this.abort.signal.aborted) {
        if (this.o.topicsRegex && Date.now() - topicsCheckedAt >= TOPICS_REGEX_REFRESH_MS) {
          // topics.regex takes topics created after the task started, as Kafka's pattern subscription does
          topicsCheckedAt = Date.now();
          const now = await this.subscribedTopics();
          if (now.join('\u0000') !== topics.join('\u0000')) consumer.subscribe((topics = now), listener);
        }
        this.applyRewinds();
        const polled = await consumer.poll({ timeoutMs: 500, signal: this.abort.signal });
        if (polled.length > 0) await this.deliver(polled);
        if (this.commitRequested || Date.now() - this.lastCommit >= this.o.offsetFlushIntervalMs) {
          await this.commit(null);
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted) failure = err as Error;
    }
    try {
      if (!failure) await this.commit(null);
    } catch (err) {
      failure = err as Error;
    }
    try {
      partitionsClosed = true;
      await task.close?.(consumer.assignment());
    } catch (err) {
      failure ??= err as Error;
    }
    await consumer.close().catch(() => undefined);
    await this.safeStop();
    if (failure) status.onTaskState(this.id.connector, this.id.task, 'FAILED', failure);
  }

  private async subscribedTopics(): Promise<string[]> {
    if (!this.o.topicsRegex) return this.o.topics;
    const all = await this.o.log.admin().listTopics();
    const matched = all.filter((t) => this.o.topicsRegex!.test(t)).sort();
    // the active topics (GET /connectors/{name}/topics) of a pattern are those it matched
    for (const topic of matched) await this.o.onTopicUsed?.(topic);
    return matched;
  }

  private applyRewinds(): void {
    if (this.rewinds.size === 0 || !this.consumer) return;
    for (const { tp, offset } of this.rewinds.values()) {
      if (!this.assigned(tp)) continue;
      this.consumer.seek(tp, offset);
      this.current.set(key(tp), { partition: tp, offset });
    }
    this.rewinds.clear();
  }

  /** Converts, transforms and puts one poll's records. */
  private async deliver(polled: PartitionRecords[]): Promise<void> {
    const { tolerance, transforms, keyConverter, valueConverter } = this.o;
    // only where a failure's original bytes are used: held by a sink writing in the background,
    // they keep the fetched bytes they are views of
    const keepRaw = tolerance.toleratesAll && this.o.errorReporter.usesOriginals;
    const batch: SinkRecord[] = [];
    const positions: { tp: TopicPartition; next: number }[] = [];
    let read = 0;
    for (const part of polled) {
      const tp = { topic: part.topic, partition: part.partition };
      for (const raw of part.records) {
        // a sink writing in the background (put() returned before its I/O finished) needs the
        // event loop for each round trip: a long synchronous conversion would stall them all
        if (++read % YIELD_EVERY === 0) await yieldToEventLoop();
        // one try for the three stages (no closure or result object per record); `stage` says
        // which one threw
        let stage: ErrorStage = 'KEY_CONVERTER';
        let transformed: SinkRecord | null;
        let original: SinkRecord;
        try {
          const headers = toConnectHeaders(raw.headers);
          const k = keyConverter.toConnectData(part.topic, headers, raw.key);
          stage = 'VALUE_CONVERTER';
          const v = valueConverter.toConnectData(part.topic, headers, raw.value);
          stage = 'TRANSFORMATION';
          original = {
            topic: part.topic,
            kafkaPartition: part.partition,
            kafkaOffset: raw.offset,
            keySchema: k.schema,
            key: k.value,
            valueSchema: v.schema,
            value: v.value,
            valueJson: v.json,
            timestamp: raw.timestamp,
            headers,
            originalTopic: part.topic,
            originalKafkaPartition: part.partition,
            originalKafkaOffset: raw.offset,
          };
          if (keepRaw)
            (original as WithRaw)[RAW] = { topic: part.topic, partition: part.partition, record: raw };
          transformed = transforms.apply(original);
        } catch (err) {
          const failed = tolerance.tolerated(stage, err);
          await this.failedConsumed(stage, failed, {
            topic: part.topic,
            partition: part.partition,
            record: raw,
          });
          continue;
        }
        if (transformed === null) continue;
        // a sink may write the text in place of the value: never one that is not the value's
        if (transformed.valueJson !== undefined && currentValueJson(transformed, original) === undefined)
          transformed = withRecord(transformed, { valueJson: undefined });
        batch.push(transformed);
      }
      const last = part.records[part.records.length - 1];
      if (last) positions.push({ tp, next: last.offset + 1 });
    }
    this.o.metrics.sinkRecordsRead(read);
    if (batch.length > 0) {
      this.polledNow = polled;
      // As in Kafka Connect, a RetriableError is retried with the same records, and a failure
      // other than a DataError fails the task: it may concern an earlier batch written in the
      // background, or none (a failed target), so these records are no more to blame than others.
      const result = await tolerance.taskCall(
        'TASK_PUT',
        () => this.o.task.put(batch),
        this.abort.signal,
        (err, delay) =>
          this.o.logger.warn(
            { err },
            `task ${this.id.connector}-${this.id.task} could not put records (${(err as Error).message}); retrying in ${delay} ms`,
          ),
      );
      // a DataError that errors.tolerance allows: every record of the batch goes to the DLQ
      if ('failed' in result)
        for (const record of batch) await this.failedRecord('TASK_PUT', result.failed, record);
      this.o.metrics.sinkRecordsPut(batch.length);
      this.polledNow = [];
    }
    for (const { tp, next } of positions) {
      this.current.set(key(tp), { partition: tp, offset: next });
      const last = polled.find((p) => p.topic === tp.topic && p.partition === tp.partition);
      if (last) {
        this.o.metrics.sinkLag(tp.topic, tp.partition, Math.max(0, last.highWatermark - next));
      }
    }
  }

  private async failedConsumed(stage: ErrorStage, error: Error, consumed: ConsumedRecord): Promise<void> {
    this.o.metrics.recordError(stage);
    this.o.metrics.recordSkipped();
    if (await this.o.errorReporter.report({ stage, error, consumed })) this.o.metrics.deadLetterRecord();
  }

  /**
   * A converted record that failed later (a tolerated put failure, or one the task reported): its
   * original bytes go to the DLQ, as Kafka Connect's errant record reporter sends the original
   * ConsumerRecord, even when the report comes after put() returned.
   */
  private async failedRecord(stage: ErrorStage, error: Error, record: SinkRecord): Promise<void> {
    if (!this.o.tolerance.toleratesAll) throw error;
    let original = (record as WithRaw)[RAW] ?? this.polledRecord(record);
    try {
      original ??= this.reencoded(record);
    } catch (convertError) {
      this.o.logger.warn(
        { err: convertError },
        'could not convert an errant record back for the dead letter queue',
      );
    }
    if (original) {
      await this.failedConsumed(stage, error, original);
    } else {
      this.o.metrics.recordError(stage);
      await this.o.errorReporter.report({
        stage,
        error,
        describe: () => `${record.topic}-${record.kafkaPartition}@${record.kafkaOffset}`,
      });
    }
  }

  /** The raw record `record` was converted from, while its poll is being put. */
  private polledRecord(record: SinkRecord): ConsumedRecord | undefined {
    const { originalTopic: topic, originalKafkaPartition: partition } = record;
    const part = this.polledNow.find((p) => p.topic === topic && p.partition === partition);
    const raw = part && findByOffset(part.records, record.originalKafkaOffset);
    return raw ? { topic, partition, record: raw } : undefined;
  }

  /**
   * A record that carries no raw record (a transformation made it anew) reported after its put()
   * returned: it goes to the DLQ converted back with the connector's converters, as Kafka
   * Connect's errant record reporter does for records that are not its own.
   */
  private reencoded(record: SinkRecord): ConsumedRecord {
    const topic = record.originalTopic ?? record.topic;
    const toBuffer = (data: Buffer | string | null): Buffer | null =>
      data === null ? null : typeof data === 'string' ? Buffer.from(data) : data;
    return {
      topic,
      partition: record.originalKafkaPartition ?? record.kafkaPartition ?? 0,
      record: {
        offset: record.originalKafkaOffset ?? record.kafkaOffset,
        timestamp: record.timestamp ?? Date.now(),
        key: toBuffer(
          this.o.keyConverter.fromConnectData(topic, record.headers, record.keySchema, record.key),
        ),
        value: toBuffer(
          this.o.valueConverter.fromConnectData(topic, record.headers, record.valueSchema, record.value),
        ),
        headers: toLogHeaders(record.headers).map((h) => ({ key: h.key, value: toBuffer(h.value) })),
      },
    };
  }

  /** preCommit (the task flushes), then commits what it returned. `only` limits it to some partitions. */
  private async commit(only: TopicPartition[] | null): Promise<void> {
    this.commitRequested = false;
    this.lastCommit = Date.now();
    const consumer = this.consumer;
    if (!consumer) return;
    const offsets: PartitionOffsets = new Map();
    for (const [k, v] of this.current) {
      if (!only || only.some((tp) => key(tp) === k))
        offsets.set(k, { partition: v.partition, offset: v.offset });
    }
    if (offsets.size === 0) return;
    const started = performance.now();
    const task = this.o.task;
    let toCommit: PartitionOffsets;
    if (task.preCommit) {
      toCommit = await task.preCommit(offsets);
    } else {
      await task.flush?.(offsets);
      toCommit = offsets;
    }
    const list = [...toCommit.values()].map((o) => ({
      topic: o.partition.topic,
      partition: o.partition.partition,
      offset: o.offset,
    }));
    try {
      if (list.length > 0) await consumer.commit(list);
    } catch (err) {
      // as Kafka Connect: a commit the group refuses because the task is no longer in its current
      // generation (a put() outlasted max.poll.interval.ms, a rebalance began) is not the task's
      // failure; the next poll rejoins, and what was not committed is delivered again
      if (!REJOIN_CODES.some((code) => isLogError(err, code))) throw err;
      this.o.logger.warn(
        { err },
        `task ${this.id.connector}-${this.id.task} could not commit its offsets (${(err as Error).message}); it rejoins its group, and records after its last commit are delivered again`,
      );
      return;
    }
    this.o.metrics.offsetCommitSeconds((performance.now() - started) / 1000);
  }

  pause(): void {
    this.paused = true;
    this.consumer?.pause(this.consumer.assignment());
    this.o.status.onTaskState(this.id.connector, this.id.task, 'PAUSED');
  }

  resume(): void {
    this.paused = false;
    this.consumer?.resume(this.consumer.assignment().filter((tp) => !this.taskPaused.has(key(tp))));
    this.o.status.onTaskState(this.id.connector, this.id.task, 'RUNNING');
  }

  /** Sink tasks take no signals. */
  async signal(): Promise<boolean> {
    return false;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.consumer?.wakeup();
    await this.runner;
  }

  private async safeStop(): Promise<void> {
    try {
      await this.o.task.stop();
    } catch (err) {
      this.o.logger.warn({ err }, `task ${this.id.connector}-${this.id.task} failed to stop cleanly`);
    }
    this.o.transforms.close();
    this.o.metrics.taskStopped();
  }
}

/** The record at `offset` in records in offset order (gaps allowed: compacted topics). */
function findByOffset(records: readonly LogRecord[], offset: number): LogRecord | undefined {
  let low = 0;
  let high = records.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = records[mid]!.offset;
    if (at === offset) return records[mid];
    if (at < offset) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}
