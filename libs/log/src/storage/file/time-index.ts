/*
 * Sparse time index of one segment: entries (largest timestamp so far, offset of the batch where it
 * was reached), strictly increasing in timestamp, added beside the offset index's entries. On disk
 * `<base>.timeindex`: 12 bytes per entry, timestamp int64 BE | relative offset uint32 BE.
 * Finding the first record at or after a time starts from the last entry below it.
 */

import { readInt64BE, writeInt64BE } from '../../format/varint.js';

export const TIME_INDEX_ENTRY_SIZE = 12;

export class TimeIndex {
  private timestamps: Float64Array = new Float64Array(64);
  private relOffsets: Uint32Array = new Uint32Array(64);
  private count = 0;

  constructor(readonly baseOffset: number) {}

  get entries(): number {
    return this.count;
  }

  get lastTimestamp(): number {
    return this.count === 0 ? -1 : this.timestamps[this.count - 1]!;
  }

  /** Records that `maxTimestamp` was reached by the batch starting at `offset`; ignored unless it is a new maximum. */
  maybeAppend(maxTimestamp: number, offset: number): void {
    if (this.count > 0 && this.timestamps[this.count - 1]! >= maxTimestamp) return;
    if (this.count === this.timestamps.length) {
      const t = new Float64Array(this.count * 2);
      t.set(this.timestamps);
      this.timestamps = t;
      const o = new Uint32Array(this.count * 2);
      o.set(this.relOffsets);
      this.relOffsets = o;
    }
    this.timestamps[this.count] = maxTimestamp;
    this.relOffsets[this.count] = offset - this.baseOffset;
    this.count++;
  }

  /**
   * An offset from which to scan for the first record with timestamp >= `timestamp`: the batch of
   * the last entry whose timestamp is below it (every earlier batch is entirely below it), or the
   * segment's base offset.
   */
  lookup(timestamp: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? this.baseOffset : this.baseOffset + this.relOffsets[found]!;
  }

  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.count * TIME_INDEX_ENTRY_SIZE);
    for (let i = 0; i < this.count; i++) {
      writeInt64BE(out, i * TIME_INDEX_ENTRY_SIZE, this.timestamps[i]!);
      out.writeUInt32BE(this.relOffsets[i]!, i * TIME_INDEX_ENTRY_SIZE + 8);
    }
    return out;
  }

  static deserialize(baseOffset: number, data: Buffer): TimeIndex | null {
    if (data.length % TIME_INDEX_ENTRY_SIZE !== 0) return null;
    const index = new TimeIndex(baseOffset);
    let lastTs = -Infinity;
    let lastRel = -1;
    for (let p = 0; p < data.length; p += TIME_INDEX_ENTRY_SIZE) {
      const ts = readInt64BE(data, p);
      const rel = data.readUInt32BE(p + 8);
      if (ts <= lastTs || rel < lastRel) return null;
      index.maybeAppend(ts, baseOffset + rel);
      lastTs = ts;
      lastRel = rel;
    }
    return index;
  }
}
