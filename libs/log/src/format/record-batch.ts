import { LogError } from '../errors.js';
import { crc32c } from './crc32c.js';
import { readInt64BE } from './varint.js';

/*
 * RecordBatch, after Kafka's v2 format (magic 2). Big-endian fixed-width header:
 *
 *   baseOffset            int64   assigned by the log on append
 *   batchLength           int32   bytes after this field
 *   partitionLeaderEpoch  int32
 *   magic                 int8    = 2
 *   crc                   uint32  CRC-32C of everything from `attributes` to the end
 *   attributes            int16   bits 0-2 compression codec, bit 3 timestamp type, bit 6 delete
 *                                 horizon set (then baseTimestamp holds it, see DELETE_HORIZON_FLAG)
 *   lastOffsetDelta       int32
 *   baseTimestamp         int64
 *   maxTimestamp          int64
 *   producerId            int64   -1: no idempotent producer
 *   producerEpoch         int16
 *   baseSequence          int32
 *   recordCount           int32
 *   records               [Record]  (compressed as a whole when the codec is not none)
 *
 * Record (lengths and deltas are zig-zag varints, -1 for null):
 *   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
 *   | keyLength varint | key | valueLength varint | value
 *   | headerCount varint | [headerKeyLength varint | headerKey utf8 | headerValueLength varint | value]
 *
 * The CRC leaves out baseOffset and the leader epoch so the log can assign offsets without
 * recomputing it.
 */

export const MAGIC = 2;
export const BASE_OFFSET_OFFSET = 0;
export const LENGTH_OFFSET = 8;
export const LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;
/** Bytes before batchLength's count starts: baseOffset and batchLength themselves. */
export const LOG_OVERHEAD = 12;
export const BATCH_HEADER_SIZE = RECORDS_OFFSET;
export const COMPRESSION_CODEC_MASK = 0x07;
/**
 * Kafka's delete horizon (KIP-534): the cleaner sets it on a batch holding tombstones the first
 * time it keeps them, storing the time they may go as the batch's baseTimestamp (record
 * timestamps stay exact: their deltas are signed).
 */
export const DELETE_HORIZON_FLAG = 0x40;

/** The delete horizon of the batch at `pos`, in ms since the epoch; null when none is set. */
export function deleteHorizonOf(buf: Buffer, pos: number): number | null {
  return (buf.readInt16BE(pos + ATTRIBUTES_OFFSET) & DELETE_HORIZON_FLAG) === 0
    ? null
    : readInt64BE(buf, pos + BASE_TIMESTAMP_OFFSET);
}

export interface RecordBatchHeader {
  baseOffset: number;
  /** Size of the whole batch in bytes, header included. */
  sizeInBytes: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function readRecordBatchHeader(buf: Buffer, pos: number): RecordBatchHeader {
  return {
    baseOffset: readInt64BE(buf, pos + BASE_OFFSET_OFFSET),
    sizeInBytes: buf.readInt32BE(pos + LENGTH_OFFSET) + LOG_OVERHEAD,
    magic: buf.readInt8(pos + MAGIC_OFFSET),
    crc: buf.readUInt32BE(pos + CRC_OFFSET),
    attributes: buf.readInt16BE(pos + ATTRIBUTES_OFFSET),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64BE(buf, pos + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64BE(buf, pos + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64BE(buf, pos + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
    recordCount: buf.readInt32BE(pos + RECORD_COUNT_OFFSET),
  };
}

export function batchBaseOffset(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos + BASE_OFFSET_OFFSET);
}

export function batchLastOffset(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos + BASE_OFFSET_OFFSET) + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
}

export function batchMaxTimestamp(buf: Buffer, pos: number): number {
  return readInt64BE(buf, pos + MAX_TIMESTAMP_OFFSET);
}

/** Size of the batch at `pos` as its header claims, or -1 when not even the length field is there. */
export function batchSizeAt(buf: Buffer, pos: number, end: number = buf.length): number {
  if (end - pos < LOG_OVERHEAD) return -1;
  return buf.readInt32BE(pos + LENGTH_OFFSET) + LOG_OVERHEAD;
}

export type BatchCheck =
  | { ok: true; size: number }
  | { ok: false; reason: 'truncated' | 'bad-length' | 'bad-magic' | 'bad-crc'; size: number };

/**
 * Checks the batch at `pos` without decoding its records: enough bytes for the header and the
 * declared length, the magic byte, and (unless `verifyCrc` is false) the CRC.
 */
export function checkBatch(buf: Buffer, pos: number, end: number = buf.length, verifyCrc = true): BatchCheck {
  if (end - pos < BATCH_HEADER_SIZE) return { ok: false, reason: 'truncated', size: end - pos };
  const size = buf.readInt32BE(pos + LENGTH_OFFSET) + LOG_OVERHEAD;
  if (size < BATCH_HEADER_SIZE) return { ok: false, reason: 'bad-length', size };
  if (end - pos < size) return { ok: false, reason: 'truncated', size };
  if (buf[pos + MAGIC_OFFSET] !== MAGIC) return { ok: false, reason: 'bad-magic', size };
  if (!verifyCrc) return { ok: true, size };
  const stored = buf.readUInt32BE(pos + CRC_OFFSET);
  if (crc32c(buf.subarray(pos + ATTRIBUTES_OFFSET, pos + size)) !== stored) {
    return { ok: false, reason: 'bad-crc', size };
  }
  return { ok: true, size };
}

/** Throws CORRUPT_RECORD unless `buf` holds exactly one well-formed batch. */
export function assertSingleBatch(buf: Buffer): void {
  const check = checkBatch(buf, 0);
  if (!check.ok) throw new LogError('CORRUPT_RECORD', `invalid record batch: ${check.reason}`);
  if (check.size !== buf.length) {
    throw new LogError(
      'CORRUPT_RECORD',
      `record batch declares ${check.size} bytes but ${buf.length} were given`,
    );
  }
}
