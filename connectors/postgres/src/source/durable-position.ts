import type { SourceRecord } from '@sluice/connect-api';
import type { Lsn } from './lsn.js';

/**
 * Which WAL position the slot may be told is done, from what the runtime says is durable.
 *
 * Every emitted record gets a sequence number in poll order; a transaction (or a heartbeat)
 * completes at the sequence number of its last record (or, with none, of the last record before
 * it) and frees the WAL up to its end LSN. The runtime confirms records in order (commitRecord),
 * so once record n is durable every transaction completing at or before n is, and the slot may
 * move to the largest of their end LSNs. Nothing later is ever released: a crash before the log
 * has a change means the slot still has it.
 */
/**
 * A record's sequence number, kept on the record itself: a WeakMap entry per record cost more
 * than building the record (every garbage collection walks weak entries). A symbol key stays out
 * of JSON and of the record's visible fields.
 */
const SEQUENCE = Symbol('sluice.postgres.sequence');
type Numbered = SourceRecord & { [SEQUENCE]?: number };

export class DurablePosition {
  private emitted = 0;
  private durable = 0;
  /** Completed transactions not yet released, oldest first: [sequence, end LSN]. */
  private readonly pending: { seq: number; lsn: Lsn }[] = [];
  private releasable: Lsn | null = null;

  /** Numbers a record about to be returned by poll(). */
  emit(record: SourceRecord): void {
    (record as Numbered)[SEQUENCE] = ++this.emitted;
  }

  /** Everything emitted so far (and nothing later) covers the WAL up to `lsn`. */
  complete(lsn: Lsn): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last.seq === this.emitted) last.lsn = last.lsn > lsn ? last.lsn : lsn;
    else this.pending.push({ seq: this.emitted, lsn });
    this.release();
  }

  /** The runtime says `record` is durable. */
  durableRecord(record: SourceRecord): void {
    const seq = (record as Numbered)[SEQUENCE];
    if (seq !== undefined && seq > this.durable) this.durable = seq;
    this.release();
  }

  /** Whether every emitted record is durable. */
  get caughtUp(): boolean {
    return this.durable >= this.emitted;
  }

  /** The position the slot may be acknowledged up to, if it moved since the last call. */
  take(): Lsn | null {
    const lsn = this.releasable;
    this.releasable = null;
    return lsn;
  }

  private release(): void {
    while (this.pending.length > 0 && this.pending[0]!.seq <= this.durable) {
      const lsn = this.pending.shift()!.lsn;
      if (this.releasable === null || lsn > this.releasable) this.releasable = lsn;
    }
  }
}
