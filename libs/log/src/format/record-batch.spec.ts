import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { recordDataBuffer, type LogRecord, type ProducerRecord, type RecordData } from '../record.js';
import { crc32c } from './crc32c.js';
import { COMPRESSION_TYPES, isCompressionSupported, type CompressionType } from './compression.js';
import { checkBatch, deleteHorizonOf, readRecordBatchHeader, RECORDS_OFFSET } from './record-batch.js';
import { RecordBatchDecoder } from './record-batch-decoder.js';
import { RecordBatchEncoder } from './record-batch-encoder.js';

const encoder = new RecordBatchEncoder();
const decoder = new RecordBatchDecoder();

function decodeAll(batch: Buffer, minOffset = 0): LogRecord[] {
  const out: LogRecord[] = [];
  decoder.decode(batch, 0, out, minOffset);
  return out;
}

function asBuffer(data: RecordData | null | undefined): Buffer | null {
  return data === null || data === undefined ? null : recordDataBuffer(data);
}

const bytesOrString = fc.oneof(
  fc.constant(null),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
);

/** Keys and values may also come as parts (bytes and text written one after another). */
const recordData = fc.oneof(
  bytesOrString,
  fc.array(
    fc.oneof(
      fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
    ),
    { maxLength: 4 },
  ),
);

const producerRecord: fc.Arbitrary<ProducerRecord> = fc.record(
  {
    key: recordData,
    value: recordData,
    headers: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: bytesOrString }), {
      maxLength: 4,
    }),
    timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  },
  { requiredKeys: ['value'] },
);

const codecs = COMPRESSION_TYPES.filter(isCompressionSupported);

describe('RecordBatch v2', () => {
  it('lays out a one-record batch byte for byte as the format says', () => {
    const batch = encoder.encode(
      [{ key: 'k', value: 'v', timestamp: 1000, headers: [{ key: 'h', value: 'x' }] }],
      {
        now: 5,
      },
    );
    const record = Buffer.from([
      0x18, // length 12
      0x00, // attributes
      0x00, // timestamp delta 0
      0x00, // offset delta 0
      0x02,
      0x6b, // key length 1, "k"
      0x02,
      0x76, // value length 1, "v"
      0x02, // one header
      0x02,
      0x68,
      0x02,
      0x78, // "h" = "x"
    ]);
    const header = Buffer.alloc(RECORDS_OFFSET);
    header.writeBigInt64BE(0n, 0); // base offset
    header.writeInt32BE(RECORDS_OFFSET + record.length - 12, 8); // batch length
    header.writeInt32BE(0, 12); // leader epoch
    header.writeInt8(2, 16); // magic
    header.writeInt16BE(0, 21); // attributes
    header.writeInt32BE(0, 23); // last offset delta
    header.writeBigInt64BE(1000n, 27); // base timestamp
    header.writeBigInt64BE(1000n, 35); // max timestamp
    header.writeBigInt64BE(-1n, 43); // producer id
    header.writeInt16BE(-1, 51); // producer epoch
    header.writeInt32BE(-1, 53); // base sequence
    header.writeInt32BE(1, 57); // record count
    const expected = Buffer.concat([header, record]);
    expected.writeUInt32BE(crc32c(expected.subarray(21)), 17);
    expect(batch.toString('hex')).toBe(expected.toString('hex'));
  });

  it.each(codecs)('round-trips arbitrary records with compression %s', (compression: CompressionType) => {
    fc.assert(
      fc.property(fc.array(producerRecord, { minLength: 1, maxLength: 40 }), (records) => {
        const batch = encoder.encode(records, { compression, now: 1 });
        expect(checkBatch(batch, 0)).toEqual({ ok: true, size: batch.length });
        const header = readRecordBatchHeader(batch, 0);
        expect(header.recordCount).toBe(records.length);
        expect(header.lastOffsetDelta).toBe(records.length - 1);
        expect(header.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp ?? 1)));
        const decoded = decodeAll(batch);
        expect(decoded).toHaveLength(records.length);
        decoded.forEach((got, i) => {
          const sent = records[i]!;
          expect(got.offset).toBe(i);
          expect(got.timestamp).toBe(sent.timestamp ?? 1);
          expect(got.key).toEqual(asBuffer(sent.key));
          expect(got.value).toEqual(asBuffer(sent.value));
          expect(got.headers).toEqual(
            (sent.headers ?? []).map((h) => ({ key: h.key, value: asBuffer(h.value) })),
          );
        });
      }),
      { numRuns: 60 },
    );
  });

  it('fills in the send time for records without a timestamp', () => {
    const decoded = decodeAll(encoder.encode([{ value: 'a' }, { value: 'b', timestamp: 7 }], { now: 42 }));
    expect(decoded.map((r) => r.timestamp)).toEqual([42, 7]);
  });

  it('decodes only records at or after a minimum offset', () => {
    const batch = encoder.encode([{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    batch.writeBigInt64BE(100n, 0);
    expect(decodeAll(batch, 101).map((r) => [r.offset, r.value?.toString()])).toEqual([
      [101, 'b'],
      [102, 'c'],
    ]);
  });

  it('re-encodes records with their offsets and timestamps (gaps allowed)', () => {
    const original = encoder.encode(
      Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: 100 + i })),
    );
    original.writeBigInt64BE(50n, 0);
    const kept = decodeAll(original).filter((r) => r.offset % 2 === 0);
    const rewritten = encoder.reencode(kept, { compression: 'gzip' });
    const again = decodeAll(rewritten);
    expect(again.map((r) => [r.offset, r.timestamp, r.key?.toString()])).toEqual([
      [50, 100, 'k0'],
      [52, 102, 'k2'],
      [54, 104, 'k4'],
    ]);
    expect(readRecordBatchHeader(rewritten, 0).lastOffsetDelta).toBe(4);
  });

  it('re-encodes with a delete horizon: flagged, in the base timestamp, record timestamps exact', () => {
    const original = encoder.encode([
      { key: 'a', value: null, timestamp: 1_000 },
      { key: 'b', value: 'v', timestamp: 1_005 },
    ]);
    expect(deleteHorizonOf(original, 0)).toBeNull();
    const rewritten = encoder.reencode(decodeAll(original), { compression: 'lz4', deleteHorizonMs: 90_000 });
    expect(checkBatch(rewritten, 0).ok).toBe(true);
    expect(deleteHorizonOf(rewritten, 0)).toBe(90_000);
    const header = readRecordBatchHeader(rewritten, 0);
    expect(header.attributes & 0x07).toBe(3); // still lz4
    expect(header.maxTimestamp).toBe(1_005);
    expect(decodeAll(rewritten).map((r) => [r.timestamp, r.key?.toString(), r.value])).toEqual([
      [1_000, 'a', null],
      [1_005, 'b', Buffer.from('v')],
    ]);
  });

  it('detects any flipped byte after the CRC field', () => {
    const batch = encoder.encode([{ key: 'key', value: 'some value' }, { value: null }]);
    fc.assert(
      fc.property(
        fc.integer({ min: 21, max: batch.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, flip) => {
          const copy = Buffer.from(batch);
          copy[at]! ^= flip;
          expect(checkBatch(copy, 0).ok).toBe(false);
        },
      ),
    );
  });

  it('reports torn batches as truncated and impossible lengths as bad', () => {
    const batch = encoder.encode([{ value: 'x'.repeat(100) }]);
    expect(checkBatch(batch.subarray(0, 30), 0)).toMatchObject({ ok: false, reason: 'truncated' });
    expect(checkBatch(batch.subarray(0, batch.length - 1), 0)).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
    const bad = Buffer.from(batch);
    bad.writeInt32BE(3, 8);
    expect(checkBatch(bad, 0)).toMatchObject({ ok: false, reason: 'bad-length' });
  });

  it('throws CORRUPT_RECORD rather than returning a damaged record', () => {
    const batch = encoder.encode([{ value: 'abc' }]);
    batch[RECORDS_OFFSET] = 0x7e; // record length far past the batch
    expect(() => decodeAll(batch)).toThrow(expect.objectContaining({ code: 'CORRUPT_RECORD' }));
  });

  it('refuses values that are neither bytes, strings, parts of those nor null', () => {
    expect(() => encoder.encode([{ value: 42 as unknown as string }])).toThrow(
      /must be a Buffer, a string, parts of those or null, not number/,
    );
    expect(() => encoder.encode([{ value: ['a', 7 as unknown as string] }])).toThrow(/not a part number/);
    expect(() => encoder.encode([])).toThrow(/at least one record/);
  });

  it('writes keys and values given as parts exactly as their joined bytes', () => {
    const head = Buffer.from('{"schema":{"type":"string","optional":false},"payload":');
    const parts = [{ key: ['k', Buffer.from('é')], value: [head, '"ünïcode"', Buffer.from('}')] }];
    const joined = [{ key: 'ké', value: `${head.toString()}"ünïcode"}` }];
    const fromParts = encoder.encode(parts, { now: 5 });
    expect(fromParts.equals(encoder.encode(joined, { now: 5 }))).toBe(true);
    const [record] = decodeAll(fromParts);
    expect(record!.key!.toString()).toBe('ké');
    expect(record!.value!.toString()).toBe(
      '{"schema":{"type":"string","optional":false},"payload":"ünïcode"}',
    );
  });

  it('keys and values are real Buffers', () => {
    const [record] = decodeAll(encoder.encode([{ key: 'k', value: 'héllo' }]));
    expect(Buffer.isBuffer(record!.value)).toBe(true);
    expect(record!.value!.toString('utf8')).toBe('héllo');
    expect(record!.value!.subarray(1).toString('utf8')).toBe('éllo');
  });
});
