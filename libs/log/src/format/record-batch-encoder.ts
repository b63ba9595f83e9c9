import { LogError } from '../errors.js';
import { recordDataLength, type LogRecord, type ProducerRecord, type RecordData } from '../record.js';
import { COMPRESSION_CODECS, compress, type CompressionType } from './compression.js';
import { crc32c } from './crc32c.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  CRC_OFFSET,
  DELETE_HORIZON_FLAG,
  LAST_OFFSET_DELTA_OFFSET,
  LEADER_EPOCH_OFFSET,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAGIC,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
} from './record-batch.js';
import { sizeOfVarint, sizeOfVarlong, writeInt64BE, writeVarint, writeVarlong } from './varint.js';

export interface EncodeOptions {
  compression?: CompressionType;
  /** Timestamp for records that carry none. */
  now?: number;
  /** Where the batch's buffer comes from (a pool); default a new one. */
  allocate?: (size: number) => Buffer;
  /** A delete horizon for the batch (see DELETE_HORIZON_FLAG); the cleaner's rewrites only. */
  deleteHorizonMs?: number | null;
}

const INITIAL_CAPACITY = 1024;

function byteLength(data: RecordData | null | undefined): number {
  return data === null || data === undefined ? -1 : recordDataLength(data);
}

/**
 * Builds RecordBatch v2 buffers (see record-batch.ts) in two passes: the first measures every
 * record, the second writes them straight into the batch's own buffer, which is the only
 * allocation (compressed batches go through a reused scratch buffer first). One encoder is reused
 * for many batches; it is synchronous and not reentrant.
 */
export class RecordBatchEncoder {
  private bodySizes = new Int32Array(INITIAL_CAPACITY);
  private keySizes = new Int32Array(INITIAL_CAPACITY);
  private valueSizes = new Int32Array(INITIAL_CAPACITY);
  private scratch: Buffer = Buffer.allocUnsafe(64 * 1024);

  /** Encodes `records` (at least one) into a batch with base offset 0, ready for the log. */
  encode(records: readonly ProducerRecord[], options: EncodeOptions = {}): Buffer {
    return this.build(records, 0, Infinity, null, options).batch;
  }

  /**
   * Encodes records from `start` on into one batch of at most `maxBytes` (before compression),
   * always taking at least one record; `end` is the index of the first record left out.
   */
  encodeUpTo(
    records: readonly ProducerRecord[],
    start: number,
    maxBytes: number,
    options: EncodeOptions = {},
  ): { batch: Buffer; end: number } {
    return this.build(records, start, maxBytes, null, options);
  }

  /**
   * Encodes records read back from the log into one batch that keeps their offsets and
   * timestamps (the compactor rewrites batches this way). Offsets must ascend.
   */
  reencode(records: readonly LogRecord[], options: EncodeOptions = {}): Buffer {
    return this.build(records, 0, Infinity, records, options).batch;
  }

  private build(
    records: readonly ProducerRecord[],
    start: number,
    maxBytes: number,
    withOffsets: readonly LogRecord[] | null,
    options: EncodeOptions,
  ): { batch: Buffer; end: number } {
    if (start >= records.length)
      throw new LogError('INVALID_RECORD', 'a record batch needs at least one record');
    const compression = options.compression ?? 'none';
    const codec = COMPRESSION_CODECS[compression];
    const now = options.now ?? Date.now();
    const baseOffset = withOffsets ? withOffsets[0]!.offset : 0;
    const horizon = options.deleteHorizonMs ?? null;
    const baseTimestamp = horizon ?? records[start]!.timestamp ?? now;
    if (records.length - start > this.bodySizes.length) this.grow(records.length - start);

    let maxTimestamp = records[start]!.timestamp ?? now;
    let recordsSize = 0;
    let end = start;
    const budget = maxBytes - RECORDS_OFFSET;
    for (let i = start; i < records.length; i++) {
      const record = records[i]!;
      const timestamp = record.timestamp ?? now;
      if (!Number.isSafeInteger(timestamp)) {
        throw new LogError('INVALID_RECORD', `record ${i} has an invalid timestamp: ${String(timestamp)}`, {
          field: 'timestamp',
        });
      }
      const offsetDelta = withOffsets ? withOffsets[i]!.offset - baseOffset : i - start;
      const bodySize = this.measure(i - start, record, timestamp - baseTimestamp, offsetDelta);
      const size = sizeOfVarint(bodySize) + bodySize;
      if (recordsSize + size > budget && i > start) break;
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
      recordsSize += size;
      end = i + 1;
    }
    const count = end - start;

    let out: Buffer;
    if (codec === COMPRESSION_CODECS.none) {
      out = options.allocate
        ? options.allocate(RECORDS_OFFSET + recordsSize)
        : Buffer.allocUnsafe(RECORDS_OFFSET + recordsSize);
      this.writeRecords(
        out,
        RECORDS_OFFSET,
        records,
        start,
        end,
        withOffsets,
        baseOffset,
        baseTimestamp,
        now,
      );
    } else {
      if (this.scratch.length < recordsSize) this.scratch = Buffer.allocUnsafe(nextPowerOfTwo(recordsSize));
      this.writeRecords(this.scratch, 0, records, start, end, withOffsets, baseOffset, baseTimestamp, now);
      const body = compress(compression, this.scratch.subarray(0, recordsSize));
      out = options.allocate
        ? options.allocate(RECORDS_OFFSET + body.length)
        : Buffer.allocUnsafe(RECORDS_OFFSET + body.length);
      out.set(body, RECORDS_OFFSET);
    }

    const lastOffsetDelta = withOffsets ? withOffsets[end - 1]!.offset - baseOffset : count - 1;
    writeInt64BE(out, 0, baseOffset);
    out.writeInt32BE(out.length - LOG_OVERHEAD, LENGTH_OFFSET);
    out.writeInt32BE(0, LEADER_EPOCH_OFFSET);
    out[MAGIC_OFFSET] = MAGIC;
    out.writeInt16BE(horizon === null ? codec : codec | DELETE_HORIZON_FLAG, ATTRIBUTES_OFFSET);
    out.writeInt32BE(lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET);
    writeInt64BE(out, BASE_TIMESTAMP_OFFSET, baseTimestamp);
    writeInt64BE(out, MAX_TIMESTAMP_OFFSET, maxTimestamp);
    writeInt64BE(out, PRODUCER_ID_OFFSET, -1);
    out.writeInt16BE(-1, PRODUCER_EPOCH_OFFSET);
    out.writeInt32BE(-1, BASE_SEQUENCE_OFFSET);
    out.writeInt32BE(count, RECORD_COUNT_OFFSET);
    out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
    return { batch: out, end };
  }

  /** Pass one: sizes of record `i`, kept for pass two; returns its body size. */
  private measure(i: number, record: ProducerRecord, timestampDelta: number, offsetDelta: number): number {
    const keyLength = byteLength(record.key);
    const valueLength = byteLength(record.value);
    this.keySizes[i] = keyLength;
    this.valueSizes[i] = valueLength;
    let size =
      1 +
      sizeOfVarlong(timestampDelta) +
      sizeOfVarint(offsetDelta) +
      sizeOfVarint(keyLength) +
      (keyLength > 0 ? keyLength : 0) +
      sizeOfVarint(valueLength) +
      (valueLength > 0 ? valueLength : 0);
    const headers = record.headers;
    const headerCount = headers === undefined ? 0 : headers.length;
    size += sizeOfVarint(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const header = headers![h]!;
      if (typeof header.key !== 'string') {
        throw new LogError('INVALID_RECORD', `record ${i} has a header whose key is not a string`, {
          field: 'headers',
        });
      }
      const keySize = Buffer.byteLength(header.key, 'utf8');
      const valueSize = byteLength(header.value);
      size += sizeOfVarint(keySize) + keySize + sizeOfVarint(valueSize) + (valueSize > 0 ? valueSize : 0);
    }
    this.bodySizes[i] = size;
    return size;
  }

  /** Pass two: writes every record at `pos` of `buf`, which has room for them. */
  private writeRecords(
    buf: Buffer,
    pos: number,
    records: readonly ProducerRecord[],
    start: number,
    end: number,
    withOffsets: readonly LogRecord[] | null,
    baseOffset: number,
    baseTimestamp: number,
    now: number,
  ): void {
    for (let i = start; i < end; i++) {
      const { key, value, headers, timestamp } = records[i]!;
      const k = i - start;
      const keyLength = this.keySizes[k]!;
      const valueLength = this.valueSizes[k]!;
      pos = writeVarint(buf, pos, this.bodySizes[k]!);
      buf[pos++] = 0; // record attributes: unused
      pos = writeVarlong(buf, pos, (timestamp ?? now) - baseTimestamp);
      pos = writeVarint(buf, pos, withOffsets ? withOffsets[i]!.offset - baseOffset : k);
      pos = writeVarint(buf, pos, keyLength);
      if (keyLength > 0) pos = writeBytes(buf, pos, key!, keyLength);
      pos = writeVarint(buf, pos, valueLength);
      if (valueLength > 0) pos = writeBytes(buf, pos, value!, valueLength);
      const headerCount = headers === undefined ? 0 : headers.length;
      pos = writeVarint(buf, pos, headerCount);
      for (let h = 0; h < headerCount; h++) {
        const header = headers![h]!;
        const keySize = Buffer.byteLength(header.key, 'utf8');
        pos = writeVarint(buf, pos, keySize);
        pos += buf.write(header.key, pos, keySize, 'utf8');
        const valueSize = byteLength(header.value);
        pos = writeVarint(buf, pos, valueSize);
        if (valueSize > 0) pos = writeBytes(buf, pos, header.value!, valueSize);
      }
    }
  }

  private grow(count: number): void {
    const capacity = nextPowerOfTwo(count);
    this.bodySizes = new Int32Array(capacity);
    this.keySizes = new Int32Array(capacity);
    this.valueSizes = new Int32Array(capacity);
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1024;
  while (p < n) p *= 2;
  return p;
}

function writeBytes(buf: Buffer, pos: number, data: RecordData, length: number): number {
  if (typeof data === 'string') {
    buf.write(data, pos, length, 'utf8');
  } else if (data instanceof Uint8Array) {
    buf.set(data, pos);
  } else {
    let at = pos;
    for (const part of data) {
      if (typeof part === 'string') at += buf.write(part, at, 'utf8');
      else {
        buf.set(part, at);
        at += part.length;
      }
    }
  }
  return pos + length;
}
