import type { SinkRecord, TopicPartition } from '@sluice/connect-api';
import type { BatchTarget, OutgoingBatch } from './outgoing-batch.js';
import { boundedBytes, framedBytes } from './sink-body-encoder.js';

/*
 * One lane per topic-partition. A lane fills an open batch; the batch is sealed when it is full
 * (records or bytes), when the next record goes elsewhere, or when asked (linger over, a flush);
 * sealed batches wait in the lane's queue. A lane has at most one request in flight, so a
 * partition's records reach the receiver in offset order; lanes run side by side up to
 * maxInFlight requests.
 *
 *   add ──► open ──seal──► queue ──pump──► in flight ──delivered──► (gone; lane position moves)
 *                                               └──abandoned (stopping)──► back to the queue front
 */

export type SendOutcome = 'delivered' | 'abandoned';

export interface DeliveryLimits {
  maxRecords: number;
  maxBytes: number;
  maxInFlight: number;
}

interface Lane {
  readonly tp: TopicPartition;
  open: OutgoingBatch | null;
  readonly queue: OutgoingBatch[];
  inFlight: OutgoingBatch | null;
  dropped: boolean;
}

export class DeliveryLanes {
  private readonly lanes = new Map<string, Lane>();
  /** The same lanes by topic, then partition: found per record without building a key. */
  private readonly byTopic = new Map<string, (Lane | undefined)[]>();
  /** The lane of the last record added: a poll's records mostly come partition by partition. */
  private lastLane: Lane | null = null;
  private inFlight = 0;
  private buffered = 0;
  private halted = false;
  private waiters: (() => void)[] = [];

  /**
   * `send` resolves once the batch is done with (delivered, or handed to the errant record
   * reporter) or abandoned because the task stops; it rejects only when the task must fail, which
   * halts every lane.
   */
  constructor(
    private readonly limits: DeliveryLimits,
    private readonly send: (batch: OutgoingBatch) => Promise<SendOutcome>,
    private readonly onFailure: (error: Error) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records added and not yet delivered. */
  get pendingRecords(): number {
    return this.buffered;
  }

  /** Adds a record (its value encoded) to its topic-partition's lane. */
  add(record: SinkRecord, value: string, target: BatchTarget): void {
    const last = this.lastLane;
    const lane =
      last && last.tp.partition === record.kafkaPartition && last.tp.topic === record.topic
        ? last
        : this.laneOf(record.topic, record.kafkaPartition);
    let open = lane.open;
    const size = open ? this.sizeIn(open, value) : boundedBytes(value);
    if (
      open &&
      (open.target.key !== target.key ||
        open.records.length >= this.limits.maxRecords ||
        open.bytes + size > this.limits.maxBytes)
    ) {
      lane.queue.push(open);
      open = null;
    }
    if (!open) {
      open = {
        tp: lane.tp,
        target,
        records: [],
        values: [],
        bytes: 1,
        exactBytes: false,
        createdAt: this.now(),
      };
      lane.open = open;
    }
    open.records.push(record);
    open.values.push(value);
    open.bytes += size;
    this.buffered++;
    if (open.records.length >= this.limits.maxRecords) {
      lane.queue.push(open);
      lane.open = null;
    }
  }

  /**
   * What `value` adds to `batch`'s bytes. Counting UTF-8 bytes cost a fifth of encoding a value,
   * so a batch counts a bound (three bytes per UTF-16 unit) until the bound nears maxBytes, and
   * only then exact sizes, its own recounted once.
   */
  private sizeIn(batch: OutgoingBatch, value: string): number {
    if (!batch.exactBytes) {
      const bound = boundedBytes(value);
      if (batch.bytes + bound <= this.limits.maxBytes) return bound;
      batch.bytes = 1;
      for (const v of batch.values) batch.bytes += framedBytes(v);
      batch.exactBytes = true;
    }
    return framedBytes(value);
  }

  /** Seals open batches created at or before `createdBy` (all when left out). */
  seal(createdBy = Infinity): void {
    for (const lane of this.lanes.values()) {
      if (lane.open && lane.open.createdAt <= createdBy) {
        lane.queue.push(lane.open);
        lane.open = null;
      }
    }
  }

  /** When the oldest open batch was started, or null when none is open. */
  oldestOpen(): number | null {
    let oldest: number | null = null;
    for (const lane of this.lanes.values()) {
      if (lane.open && (oldest === null || lane.open.createdAt < oldest)) oldest = lane.open.createdAt;
    }
    return oldest;
  }

  /** Starts requests for lanes that have a sealed batch and none in flight, up to the limit. */
  pump(): void {
    if (this.halted) return;
    for (const lane of this.lanes.values()) {
      if (this.inFlight >= this.limits.maxInFlight) return;
      if (lane.inFlight || lane.queue.length === 0) continue;
      const batch = lane.queue.shift()!;
      lane.inFlight = batch;
      this.inFlight++;
      void this.run(lane, batch);
    }
  }

  /**
   * The offset of the first record of this partition not yet delivered, or null when everything
   * added to it is.
   */
  firstUndelivered(tp: TopicPartition): number | null {
    const lane = this.lanes.get(laneKey(tp));
    if (!lane) return null;
    const batch = lane.inFlight ?? lane.queue[0] ?? lane.open;
    return batch ? batch.records[0]!.kafkaOffset : null;
  }

  /** Resolves once no request is in flight and nothing is sealed and waiting (or the lanes halted). */
  async settled(): Promise<void> {
    this.pump();
    while (this.inFlight > 0 || (!this.halted && this.hasQueued())) await this.nextChange();
  }

  /** Resolves once fewer than `limit` records are pending (or the lanes halted). */
  async room(limit: number): Promise<void> {
    while (!this.halted && this.buffered >= limit && this.inFlight > 0) await this.nextChange();
  }

  /** Stops starting requests: what is in flight finishes, the rest stays undelivered. */
  halt(): void {
    this.halted = true;
    this.notify();
  }

  /** Forgets these partitions (revoked): their undelivered records come again to whoever gets them. */
  drop(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const key = laneKey(tp);
      const lane = this.lanes.get(key);
      if (!lane) continue;
      this.buffered -=
        (lane.open?.records.length ?? 0) + lane.queue.reduce((n, b) => n + b.records.length, 0);
      lane.open = null;
      lane.queue.length = 0;
      // a request in flight finishes on its own and then finds the lane dropped
      lane.dropped = true;
      this.lanes.delete(key);
      delete this.byTopic.get(tp.topic)![tp.partition];
      if (this.lastLane === lane) this.lastLane = null;
    }
  }

  private async run(lane: Lane, batch: OutgoingBatch): Promise<void> {
    let outcome: SendOutcome = 'abandoned';
    try {
      outcome = await this.send(batch);
    } catch (err) {
      this.halted = true;
      this.onFailure(err as Error);
    }
    lane.inFlight = null;
    this.inFlight--;
    if (outcome === 'delivered' || lane.dropped) this.buffered -= batch.records.length;
    else {
      lane.queue.unshift(batch);
      this.halted = true;
    }
    this.pump();
    this.notify();
  }

  private laneOf(topic: string, partition: number): Lane {
    let partitions = this.byTopic.get(topic);
    if (!partitions) this.byTopic.set(topic, (partitions = []));
    let lane = partitions[partition];
    if (!lane) {
      const tp = { topic, partition };
      lane = {
        tp,
        open: null,
        queue: [],
        inFlight: null,
        dropped: false,
      };
      partitions[tp.partition] = lane;
      this.lanes.set(laneKey(tp), lane);
    }
    this.lastLane = lane;
    return lane;
  }

  private hasQueued(): boolean {
    for (const lane of this.lanes.values()) if (lane.queue.length > 0) return true;
    return false;
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

function laneKey(tp: TopicPartition): string {
  // topic names cannot hold a NUL: unambiguous and cheap
  return `${tp.topic}\u0000${tp.partition}`;
}
