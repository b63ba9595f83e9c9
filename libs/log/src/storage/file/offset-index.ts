/*
 * Sparse offset index of one segment: entries (offset, file position) for a batch every
 * index.interval.bytes, ascending in both. On disk `<base>.index`: 8 bytes per entry,
 * relative offset uint32 BE | position uint32 BE. The active segment's index lives in memory and
 * is written when the segment rolls or the log closes; after a crash it is rebuilt by the scan
 * that recovers the segment anyway.
 */

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export class OffsetIndex {
  private relOffsets: Uint32Array = new Uint32Array(64);
  private positions: Uint32Array = new Uint32Array(64);
  private count = 0;

  constructor(readonly baseOffset: number) {}

  get entries(): number {
    return this.count;
  }

  append(offset: number, position: number): void {
    if (this.count === this.relOffsets.length) {
      this.relOffsets = grow(this.relOffsets);
      this.positions = grow(this.positions);
    }
    this.relOffsets[this.count] = offset - this.baseOffset;
    this.positions[this.count] = position;
    this.count++;
  }

  /** File position of the last indexed batch starting at or before `offset` (0 when none). */
  lookup(offset: number): number {
    const i = this.floor(offset - this.baseOffset);
    return i < 0 ? 0 : this.positions[i]!;
  }

  private floor(rel: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  serialize(): Buffer {
    const out = Buffer.allocUnsafe(this.count * OFFSET_INDEX_ENTRY_SIZE);
    for (let i = 0; i < this.count; i++) {
      out.writeUInt32BE(this.relOffsets[i]!, i * OFFSET_INDEX_ENTRY_SIZE);
      out.writeUInt32BE(this.positions[i]!, i * OFFSET_INDEX_ENTRY_SIZE + 4);
    }
    return out;
  }

  /** Loads a serialized index, or returns null when it is not well-formed for a segment of `segmentSize`. */
  static deserialize(baseOffset: number, data: Buffer, segmentSize: number): OffsetIndex | null {
    if (data.length % OFFSET_INDEX_ENTRY_SIZE !== 0) return null;
    const index = new OffsetIndex(baseOffset);
    let lastRel = -1;
    let lastPos = -1;
    for (let p = 0; p < data.length; p += OFFSET_INDEX_ENTRY_SIZE) {
      const rel = data.readUInt32BE(p);
      const pos = data.readUInt32BE(p + 4);
      if (rel <= lastRel || pos <= lastPos || pos >= segmentSize) return null;
      index.append(baseOffset + rel, pos);
      lastRel = rel;
      lastPos = pos;
    }
    return index;
  }
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}
