import { LogError } from '../errors.js';
import type { LogRecord, RecordHeader } from '../record.js';
import { BufferView, bufferView } from './buffer-view.js';
import { decompress } from './compression.js';
import {
  BASE_TIMESTAMP_OFFSET,
  ATTRIBUTES_OFFSET,
  COMPRESSION_CODEC_MASK,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
} from './record-batch.js';
import { readInt64BE, VarintReader } from './varint.js';

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

/**
 * Turns record batches back into records. Keys and values are views into the batch (or into its
 * decompressed records), so a record costs its object and two views, nothing more. One decoder is
 * reused; it is synchronous and not reentrant.
 */
export class RecordBatchDecoder {
  private readonly reader = new VarintReader(Buffer.alloc(0));

  /**
   * Appends the records of the batch at `pos` whose offset is at least `minOffset` to `out`, and
   * returns how many it appended. The batch's CRC is not checked here (see checkBatch).
   */
  decode(buf: Buffer, pos: number, out: LogRecord[], minOffset = 0): number {
    const size = buf.readInt32BE(pos + LENGTH_OFFSET) + LOG_OVERHEAD;
    const baseOffset = readInt64BE(buf, pos);
    const baseTimestamp = readInt64BE(buf, pos + BASE_TIMESTAMP_OFFSET);
    const count = buf.readInt32BE(pos + RECORD_COUNT_OFFSET);
    const codec = buf.readInt16BE(pos + ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK;

    let data = buf;
    let start = pos + RECORDS_OFFSET;
    let end = pos + size;
    if (codec !== 0) {
      data = decompress(codec, buf.subarray(start, end));
      start = 0;
      end = data.length;
    }

    // Hot loop: the cursor is a local, varints are read by varintAt (no object state), and the
    // views are made straight from the batch's memory.
    const memory = data.buffer as ArrayBuffer;
    const memoryOffset = data.byteOffset;
    let p = start;
    let appended = 0;
    try {
      for (let i = 0; i < count; i++) {
        const length = varintAt(data, p);
        p = varintEnd;
        const recordEnd = p + length;
        if (length < 0 || recordEnd > end) throw corrupt(baseOffset, `record ${i} overruns its batch`);
        p++; // record attributes: unused
        let timestampDelta: number;
        const t = data[p]!;
        if (t < 0x80) {
          timestampDelta = (t >>> 1) ^ -(t & 1);
          p++;
        } else {
          this.reader.reset(data, p);
          timestampDelta = this.reader.varlong();
          p = this.reader.pos;
        }
        const offset = baseOffset + varintAt(data, p);
        p = varintEnd;
        if (offset < minOffset) {
          p = recordEnd;
          continue;
        }
        const keyLength = varintAt(data, p);
        p = varintEnd;
        let key: Buffer | null = null;
        if (keyLength >= 0) {
          key = new BufferView(memory, memoryOffset + p, keyLength) as unknown as Buffer;
          p += keyLength;
        }
        const valueLength = varintAt(data, p);
        p = varintEnd;
        let value: Buffer | null = null;
        if (valueLength >= 0) {
          value = new BufferView(memory, memoryOffset + p, valueLength) as unknown as Buffer;
          p += valueLength;
        }
        const headerCount = varintAt(data, p);
        p = varintEnd;
        let headers = NO_HEADERS;
        if (headerCount !== 0) {
          headers = this.readHeaders(data, p, headerCount);
          p = varintEnd;
        }
        if (p !== recordEnd) throw corrupt(baseOffset, `record ${i} does not end where its length says`);
        out.push({ offset, timestamp: baseTimestamp + timestampDelta, key, value, headers });
        appended++;
      }
    } catch (err) {
      if (err instanceof LogError) throw err;
      throw corrupt(baseOffset, (err as Error).message);
    }
    return appended;
  }

  /** Reads `count` headers at `p`; leaves their end in varintEnd. */
  private readHeaders(data: Buffer, p: number, count: number): RecordHeader[] {
    if (count < 0) throw new RangeError(`negative header count ${count}`);
    const headers: RecordHeader[] = new Array<RecordHeader>(count);
    for (let h = 0; h < count; h++) {
      const keyLength = varintAt(data, p);
      p = varintEnd;
      if (keyLength < 0) throw new RangeError('a header key is null');
      const key = data.toString('utf8', p, p + keyLength);
      p += keyLength;
      const valueLength = varintAt(data, p);
      p = varintEnd;
      let value: Buffer | null = null;
      if (valueLength >= 0) {
        value = bufferView(data, p, p + valueLength);
        p += valueLength;
      }
      headers[h] = { key, value };
    }
    varintEnd = p;
    return headers;
  }
}

/** Where the last varintAt call stopped: module state, so the hot path returns a plain number. */
let varintEnd = 0;

/** A zig-zag int32 varint at `p`; sets varintEnd. One- and two-byte ones (nearly all) are inlined. */
function varintAt(data: Uint8Array, p: number): number {
  let b = data[p]!;
  if (b < 0x80) {
    varintEnd = p + 1;
    return (b >>> 1) ^ -(b & 1);
  }
  let u = b & 0x7f;
  b = data[p + 1]!;
  if (b < 0x80) {
    u |= b << 7;
    varintEnd = p + 2;
    return (u >>> 1) ^ -(u & 1);
  }
  const reader = new VarintReader(data);
  reader.pos = p;
  const value = reader.varint();
  varintEnd = reader.pos;
  return value;
}

function corrupt(baseOffset: number, reason: string): LogError {
  return new LogError('CORRUPT_RECORD', `corrupt record batch at offset ${baseOffset}: ${reason}`, {
    offset: baseOffset,
  });
}
