import { isLogError, LogError } from '../errors.js';
import { batchLastOffset, batchSizeAt } from '../format/record-batch.js';
import { RecordBatchDecoder } from '../format/record-batch-decoder.js';
import { ConsumerGroupMember } from '../groups/consumer-group-member.js';
import type { PartitionAssignor } from '../groups/assignors/partition-assignor.js';
import type { GroupCoordinator } from '../groups/group-coordinator.js';
import type { LogRecord, TopicPartition } from '../record.js';
import { topicPartitionKey } from '../record.js';
import type { FetchResult, LogStorage } from '../storage/log-storage.js';

export type OffsetResetPolicy = 'earliest' | 'latest' | 'none';

export interface RebalanceListener {
  /** Before partitions are taken away: the last moment to commit their offsets. */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Taken away without a chance to commit (the member was fenced). Defaults to onPartitionsRevoked. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface ConsumerOptions {
  /** Needed for subscribe() and commits. */
  groupId?: string;
  clientId?: string;
  /** Where to start when a partition has no committed offset, or its offset fell out of range. Default latest. */
  autoOffsetReset?: OffsetResetPolicy;
  /** Bytes fetched per partition per round (whole batches; at least one). Default 1 MiB. */
  maxPartitionFetchBytes?: number;
  /** A poll stops gathering partitions once it holds this many records. Default 10,000. */
  maxPollRecords?: number;
  /** Group assignors in order of preference. Default cooperative-sticky, then range. */
  assignors?: PartitionAssignor[];
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  maxPollIntervalMs?: number;
}

/** The records one poll got from one partition, in offset order. */
export interface PartitionRecords extends TopicPartition {
  records: LogRecord[];
  /** The partition's end offset when fetched: lag = highWatermark - (last offset + 1). */
  highWatermark: number;
}

export interface PollOptions {
  /** How long to wait for records when none are there. Default 0: return at once. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface PartitionState {
  tp: TopicPartition;
  /** Next offset to return; null until resolved from the committed offset or the reset policy. */
  position: number | null;
  paused: boolean;
  highWatermark: number;
  /** A fetch started ahead of time at `position`, while the caller works on the last one. */
  prefetch: { offset: number; result: Promise<FetchResult> } | null;
  /**
   * Records fetched past maxPollRecords, returned by the next polls before any fetch; `next` is
   * the offset after the fetch they came from.
   */
  buffered: { records: LogRecord[]; next: number } | null;
}

/**
 * Reads records, by manual assignment (assign) or as a member of a consumer group (subscribe),
 * after Kafka's consumer: positions per partition, seek, pause/resume, committed offsets per group.
 * Not safe for concurrent polls: one poll at a time, as in Kafka.
 */
export class Consumer {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly decoder = new RecordBatchDecoder();
  private readonly maxFetchBytes: number;
  private readonly maxPollRecords: number;
  private readonly resetPolicy: OffsetResetPolicy;
  private member: ConsumerGroupMember | null = null;
  private listener: RebalanceListener = {};
  private closed = false;
  private roundRobin = 0;
  /** Cuts the current long poll short: a rebalance is waiting, or wakeup() was called. */
  private longPoll: AbortController | null = null;

  constructor(
    private readonly storage: LogStorage,
    private readonly coordinator: GroupCoordinator,
    private readonly options: ConsumerOptions = {},
  ) {
    this.maxFetchBytes = options.maxPartitionFetchBytes ?? 1024 * 1024;
    this.maxPollRecords = options.maxPollRecords ?? 10_000;
    this.resetPolicy = options.autoOffsetReset ?? 'latest';
  }

  /** Reads exactly these partitions, outside any group's assignment. */
  assign(partitions: readonly TopicPartition[]): void {
    if (this.member) throw new LogError('INVALID_CONFIG', 'assign() cannot be mixed with subscribe()');
    const wanted = new Set(partitions.map(topicPartitionKey));
    for (const key of [...this.partitions.keys()]) if (!wanted.has(key)) this.partitions.delete(key);
    for (const tp of partitions) this.addPartition(tp);
  }

  /** Joins the consumer group (groupId) for these topics; the assignment follows from poll(). */
  subscribe(topics: readonly string[], listener: RebalanceListener = {}): void {
    const groupId = this.requireGroupId();
    if (this.partitions.size > 0 && !this.member) {
      throw new LogError('INVALID_CONFIG', 'subscribe() cannot be mixed with assign()');
    }
    this.listener = listener;
    if (!this.member) {
      this.member = new ConsumerGroupMember({
        coordinator: this.coordinator,
        groupId,
        clientId: this.options.clientId,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        maxPollIntervalMs: this.options.maxPollIntervalMs,
        assignors: this.options.assignors,
        onRejoinNeeded: () => this.wakeup(),
        partitionCount: (topic) => this.storage.partitionCount(topic),
        listener: {
          onPartitionsAssigned: async (tps) => {
            for (const tp of tps) this.addPartition(tp);
            await this.listener.onPartitionsAssigned?.(tps);
          },
          onPartitionsRevoked: async (tps) => {
            await this.listener.onPartitionsRevoked?.(tps);
            for (const tp of tps) this.partitions.delete(topicPartitionKey(tp));
          },
          onPartitionsLost: async (tps) => {
            const lost = this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked;
            await lost?.call(this.listener, tps);
            for (const tp of tps) this.partitions.delete(topicPartitionKey(tp));
          },
        },
      });
    }
    this.member.subscribe([...topics]);
  }

  private requireGroupId(): string {
    if (!this.options.groupId) {
      throw new LogError('INVALID_CONFIG', 'this consumer has no groupId: set one to subscribe or commit', {
        field: 'groupId',
      });
    }
    return this.options.groupId;
  }

  private addPartition(tp: TopicPartition): void {
    const key = topicPartitionKey(tp);
    if (this.partitions.has(key)) return;
    if (this.storage.partitionCount(tp.topic) === undefined) {
      throw new LogError('UNKNOWN_TOPIC', `topic ${tp.topic} does not exist`, {
        topic: tp.topic,
        field: 'topic',
      });
    }
    this.partitions.set(key, {
      tp: { topic: tp.topic, partition: tp.partition },
      position: null,
      paused: false,
      highWatermark: 0,
      prefetch: null,
      buffered: null,
    });
  }

  assignment(): TopicPartition[] {
    return [...this.partitions.values()].map((s) => s.tp);
  }

  /**
   * Returns the next records of the assigned, unpaused partitions: at once when there are some,
   * else after waiting up to timeoutMs for new ones. Runs the group protocol first when subscribed.
   */
  async poll(options: PollOptions = {}): Promise<PartitionRecords[]> {
    if (this.closed) throw new LogError('CLOSED', 'consumer is closed');
    await this.member?.poll(options.signal);
    await this.resolvePositions();
    const active = this.fetchOrder();
    if (active.length === 0) {
      if ((options.timeoutMs ?? 0) > 0) await sleep(Math.min(options.timeoutMs!, 100), options.signal);
      return [];
    }

    const out: PartitionRecords[] = [];
    let count = 0;
    for (const state of active) {
      if (count >= this.maxPollRecords) break;
      if (state.buffered) {
        count += this.takeBuffered(state, out, this.maxPollRecords - count);
        continue;
      }
      try {
        const result = await this.fetch(state, 0, options.signal);
        count += this.take(state, result, out, this.maxPollRecords - count);
      } catch (err) {
        // records taken from other partitions already moved their positions: they are handed
        // out, and this partition's error comes again from the next poll's fetch
        if (out.length > 0) return out;
        throw err;
      }
    }
    if (out.length > 0 || (options.timeoutMs ?? 0) <= 0) return out;

    // nothing anywhere: long-poll every partition at once, return when the first has data
    const controller = new AbortController();
    this.longPoll = controller;
    const stop = (): void => controller.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      const waits = active.map(async (state) => {
        const result = await this.fetch(state, options.timeoutMs!, controller.signal);
        if (result.batches.length > 0) controller.abort();
        return { state, result };
      });
      for (const { state, result } of await Promise.all(waits))
        count += this.take(state, result, out, this.maxPollRecords - count);
    } finally {
      this.longPoll = null;
      options.signal?.removeEventListener('abort', stop);
    }
    return out;
  }

  /** Ends a poll that is waiting for records at once (it returns what it has, maybe nothing). */
  wakeup(): void {
    this.longPoll?.abort();
  }

  /** Fetches at the partition's position, using the prefetch started by the last poll when it is still valid. */
  private async fetch(state: PartitionState, maxWaitMs: number, signal?: AbortSignal): Promise<FetchResult> {
    const offset = state.position!;
    const ahead = state.prefetch;
    state.prefetch = null;
    try {
      if (ahead && ahead.offset === offset) {
        const result = await ahead.result;
        if (result.batches.length > 0 || maxWaitMs === 0) return result;
      }
      return await this.storage.fetch(state.tp.topic, state.tp.partition, {
        offset,
        maxBytes: this.maxFetchBytes,
        maxWaitMs,
        signal,
      });
    } catch (err) {
      // a subscribed topic deleted (or made again with fewer partitions): nothing to read until
      // the group's next rebalance revokes the partition
      if (this.member && (isLogError(err, 'UNKNOWN_TOPIC') || isLogError(err, 'UNKNOWN_PARTITION'))) {
        if (maxWaitMs > 0) await sleep(Math.min(maxWaitMs, 100), signal); // no busy loop meanwhile
        return { batches: Buffer.alloc(0), highWatermark: state.highWatermark, logStartOffset: 0 };
      }
      if (!isLogError(err, 'OFFSET_OUT_OF_RANGE')) throw err;
      state.position = await this.resetOffset(state.tp, err);
      return { batches: Buffer.alloc(0), highWatermark: state.highWatermark, logStartOffset: 0 };
    }
  }

  /**
   * Starts the next fetch (so the read overlaps the caller's work and this decode), decodes the
   * fetch into `out`, then moves the position past it.
   */
  private take(state: PartitionState, result: FetchResult, out: PartitionRecords[], limit: number): number {
    state.highWatermark = result.highWatermark;
    const data = result.batches;
    if (data.length === 0) return 0;
    const position = state.position!;
    let next = position;
    for (let pos = 0; pos < data.length; pos += batchSizeAt(data, pos)) {
      next = Math.max(next, batchLastOffset(data, pos) + 1);
    }
    if (next < result.highWatermark && !state.paused) {
      const ahead = this.storage.fetch(state.tp.topic, state.tp.partition, {
        offset: next,
        maxBytes: this.maxFetchBytes,
      });
      ahead.catch(() => undefined); // surfaced, if still relevant, by the next poll's own fetch
      state.prefetch = { offset: next, result: ahead };
    }
    const records: LogRecord[] = [];
    for (let pos = 0; pos < data.length; pos += batchSizeAt(data, pos)) {
      this.decoder.decode(data, pos, records, position);
    }
    // only past what decoded: a batch that does not (a codec this Node lacks) fails every poll
    // instead of being stepped over
    state.position = next;
    if (records.length === 0) return 0;
    if (records.length > limit) {
      state.buffered = { records: records.slice(limit), next };
      state.position = state.buffered.records[0]!.offset;
      if (limit <= 0) return 0;
      records.length = limit;
    }
    out.push({
      topic: state.tp.topic,
      partition: state.tp.partition,
      records,
      highWatermark: result.highWatermark,
    });
    return records.length;
  }

  /** Returns up to `limit` records held back by an earlier poll. */
  private takeBuffered(state: PartitionState, out: PartitionRecords[], limit: number): number {
    const buffered = state.buffered!;
    const records = buffered.records.splice(0, limit);
    if (buffered.records.length === 0) {
      state.buffered = null;
      state.position = buffered.next;
    } else {
      state.position = buffered.records[0]!.offset;
    }
    out.push({
      topic: state.tp.topic,
      partition: state.tp.partition,
      records,
      highWatermark: state.highWatermark,
    });
    return records.length;
  }

  /** Unpaused partitions, starting one further along each poll so none starves under maxPollRecords. */
  private fetchOrder(): PartitionState[] {
    const states = [...this.partitions.values()].filter((s) => !s.paused && s.position !== null);
    if (states.length <= 1) return states;
    const start = this.roundRobin++ % states.length;
    return [...states.slice(start), ...states.slice(0, start)];
  }

  private async resolvePositions(): Promise<void> {
    const unknown = [...this.partitions.values()].filter((s) => s.position === null);
    if (unknown.length === 0) return;
    const committed = this.options.groupId
      ? await this.coordinator.fetchOffsets(
          this.options.groupId,
          unknown.map((s) => s.tp),
        )
      : [];
    for (const state of unknown) {
      const c = committed.find((o) => o.topic === state.tp.topic && o.partition === state.tp.partition);
      state.position = c ? c.offset : await this.resetOffset(state.tp, null);
    }
  }

  private async resetOffset(tp: TopicPartition, cause: LogError | null): Promise<number> {
    if (this.resetPolicy === 'none') {
      throw (
        cause ??
        new LogError(
          'OFFSET_OUT_OF_RANGE',
          `no committed offset for ${tp.topic}-${tp.partition} and autoOffsetReset is none`,
          { topic: tp.topic, partition: tp.partition },
        )
      );
    }
    const { startOffset, endOffset } = await this.storage.offsets(tp.topic, tp.partition);
    return this.resetPolicy === 'earliest' ? startOffset : endOffset;
  }

  private state(tp: TopicPartition): PartitionState {
    const state = this.partitions.get(topicPartitionKey(tp));
    if (!state) {
      throw new LogError(
        'UNKNOWN_PARTITION',
        `${tp.topic}-${tp.partition} is not assigned to this consumer`,
        {
          topic: tp.topic,
          partition: tp.partition,
        },
      );
    }
    return state;
  }

  seek(tp: TopicPartition, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new LogError('OFFSET_OUT_OF_RANGE', `cannot seek to ${offset}: offsets are integers >= 0`, {
        topic: tp.topic,
        partition: tp.partition,
        offset,
      });
    }
    const state = this.state(tp);
    state.position = offset;
    state.prefetch = null;
    state.buffered = null;
  }

  async seekToBeginning(partitions: readonly TopicPartition[] = this.assignment()): Promise<void> {
    for (const tp of partitions)
      this.seek(tp, (await this.storage.offsets(tp.topic, tp.partition)).startOffset);
  }

  async seekToEnd(partitions: readonly TopicPartition[] = this.assignment()): Promise<void> {
    for (const tp of partitions)
      this.seek(tp, (await this.storage.offsets(tp.topic, tp.partition)).endOffset);
  }

  /** Moves to the first record with a timestamp >= `timestamp`, or to the end when there is none. */
  async seekToTimestamp(tp: TopicPartition, timestamp: number): Promise<void> {
    const offset = await this.storage.offsetForTimestamp(tp.topic, tp.partition, timestamp);
    this.seek(tp, offset ?? (await this.storage.offsets(tp.topic, tp.partition)).endOffset);
  }

  /** The offset of the next record poll() will return for `tp` (resolving it if not yet known). */
  async position(tp: TopicPartition): Promise<number> {
    const state = this.state(tp);
    if (state.position === null) await this.resolvePositions();
    return state.position!;
  }

  pause(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const state = this.state(tp);
      state.paused = true;
      state.prefetch = null;
    }
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.state(tp).paused = false;
  }

  paused(): TopicPartition[] {
    return [...this.partitions.values()].filter((s) => s.paused).map((s) => s.tp);
  }

  /**
   * Commits offsets for the group: the given ones, or the current position of every assigned
   * partition. A committed offset is the next record to read, as in Kafka.
   */
  async commit(
    offsets?: readonly { topic: string; partition: number; offset: number; metadata?: string }[],
  ): Promise<void> {
    const groupId = this.requireGroupId();
    // a deleted topic's (or partition's) offsets were forgotten with it: committing positions in
    // it would hand them to a topic created again under the name (Kafka's coordinator refuses such
    // commits)
    const list = (
      offsets ??
      [...this.partitions.values()]
        .filter((s) => s.position !== null)
        .map((s) => ({ topic: s.tp.topic, partition: s.tp.partition, offset: s.position! }))
    ).filter((o) => o.partition < (this.storage.partitionCount(o.topic) ?? 0));
    if (list.length === 0) return;
    if (this.member) {
      await this.member.commit([...list]);
    } else {
      await this.coordinator.commitOffsets({ groupId, generationId: -1, memberId: '' }, [...list]);
    }
  }

  async committed(partitions: readonly TopicPartition[] = this.assignment()): Promise<Map<string, number>> {
    const found = await this.coordinator.fetchOffsets(this.requireGroupId(), [...partitions]);
    return new Map(found.map((c) => [topicPartitionKey(c), c.offset]));
  }

  /** Records between each assigned partition's position and its end offset. */
  async lag(): Promise<Map<string, number>> {
    const lag = new Map<string, number>();
    for (const state of this.partitions.values()) {
      const { endOffset } = await this.storage.offsets(state.tp.topic, state.tp.partition);
      lag.set(topicPartitionKey(state.tp), Math.max(0, endOffset - (state.position ?? endOffset)));
    }
    return lag;
  }

  /** Leaves the group (revoking through the listener first) and stops. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.member?.close();
    this.partitions.clear();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
