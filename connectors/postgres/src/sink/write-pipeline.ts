import type { SinkRecord } from '@sluice/connect-api';
import { PendingBatch } from './pending-batch.js';
import type { RowChange } from './row-change.js';
import { partitionKey } from './sink-offsets-store.js';

/** Writes one batch in one transaction (retrying transient failures itself), or throws. */
export type BatchWrite = (batch: PendingBatch) => Promise<void>;

/**
 * What put() has accepted and the target does not hold yet: batches of at most `size` records,
 * written one at a time, in order, in the background, so that the runtime converts the next poll
 * while Postgres writes the last one. Whenever the writer is free it takes everything waiting (up
 * to `size` records): batches stay small while the target keeps up, and grow to `size` when it
 * does not. put() waits only when a full batch is already waiting behind the one being written.
 *
 * A background write that fails (after its own retries) stops the pipeline with its batch still
 * first in line; the next settle() (at the start of put() and preCommit()) writes it again and
 * throws if that fails too, before put() accepts anything, so the runtime's retry or tolerance
 * acts on records the task has not taken. flush() writes everything: preCommit() calls it before
 * offsets are committed.
 */
export class WritePipeline {
  /** Oldest first; the last batch takes records until it is full. */
  private readonly queue: PendingBatch[] = [];
  private running: Promise<void> | null = null;
  /** The batch of the write in flight, or of the failed write until written again. */
  private writing: PendingBatch | null = null;
  private failure: { error: unknown } | null = null;
  private holding = 0;

  constructor(
    private readonly size: number,
    private readonly write: BatchWrite,
  ) {}

  /** Records accepted and not yet written (the batch being written not counted). */
  get waiting(): number {
    let n = 0;
    for (const batch of this.queue) n += batch.records;
    return n;
  }

  /** Nothing accepted is waiting or being written. */
  get empty(): boolean {
    return this.writing === null && this.queue.length === 0;
  }

  /**
   * The offset of the first record of a partition (partitionKey()) not yet in the target, or
   * undefined when every record taken of it is.
   */
  firstUnwritten(partition: string): number | undefined {
    const inFlight = this.writing?.first.get(partition);
    if (inFlight !== undefined) return inFlight;
    for (const batch of this.queue) {
      const first = batch.first.get(partition);
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** Takes records in order (`change` null for those that write nothing) and starts writing. */
  add(items: readonly { record: SinkRecord; change: RowChange | null }[]): void {
    let last = this.queue[this.queue.length - 1];
    for (const { record, change } of items) {
      if (!last || last.records >= this.size) this.queue.push((last = new PendingBatch()));
      last.add(record, change);
    }
    this.pump();
  }

  /** Waits while a full batch waits behind the write in flight (memory stays bounded). */
  async backpressure(): Promise<void> {
    while (this.running && this.waiting >= this.size) await this.running;
  }

  /**
   * A batch whose background write failed is written again now, and its error thrown if it fails
   * again (the pipeline stays stopped until it succeeds). A write still in flight is not waited for.
   */
  async settle(): Promise<void> {
    if (this.failure) {
      this.failure = null;
      await this.writeNow(this.queue.shift()!);
    }
    this.pump();
  }

  /** Writes everything accepted so far; throws what a write throws (the batch stays queued). */
  async flush(): Promise<void> {
    for (;;) {
      await this.idle();
      await this.settle();
      if (!this.running && this.queue.length === 0) return;
    }
  }

  /** Forgets the records of partitions the task no longer owns (their new owner gets them). */
  async drop(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    // nothing more starts until the queue is filtered
    this.holding++;
    try {
      await this.idle();
    } finally {
      this.holding--;
    }
    const keys = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)));
    const kept = this.queue.map((b) => b.without(keys)).filter((b) => b.records > 0);
    this.queue.splice(0, this.queue.length, ...kept);
    if (this.queue.length === 0) this.failure = null;
    this.pump();
  }

  /** Waits for the write in flight, whatever its outcome. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async writeNow(batch: PendingBatch): Promise<void> {
    this.writing = batch;
    try {
      await this.write(batch);
    } catch (err) {
      this.queue.unshift(batch);
      this.failure = { error: err };
      throw err;
    } finally {
      this.writing = null;
    }
  }

  private pump(): void {
    if (this.running || this.failure || this.holding > 0 || this.queue.length === 0) return;
    const batch = this.queue.shift()!;
    this.writing = batch;
    this.running = this.write(batch).then(
      () => {
        this.running = null;
        this.writing = null;
        this.pump();
      },
      (error: unknown) => {
        this.running = null;
        this.writing = null;
        this.queue.unshift(batch);
        this.failure = { error };
      },
    );
  }
}
