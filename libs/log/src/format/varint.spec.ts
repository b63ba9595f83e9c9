import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  readInt64BE,
  sizeOfVarint,
  sizeOfVarlong,
  VarintReader,
  writeInt64BE,
  writeVarint,
  writeVarlong,
} from './varint.js';

function encodeVarint(value: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarint(buf, 0, value));
}

describe('zig-zag varints', () => {
  it.each([
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [63, [0x7e]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [-65, [0x81, 0x01]],
    [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])('encodes %d as protobuf does', (value, bytes) => {
    expect([...encodeVarint(value)]).toEqual(bytes);
    expect(sizeOfVarint(value)).toBe(bytes.length);
  });

  it('round-trips every int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (value) => {
        const buf = encodeVarint(value);
        const reader = new VarintReader(buf);
        expect(reader.varint()).toBe(value);
        expect(reader.pos).toBe(buf.length);
        expect(sizeOfVarint(value)).toBe(buf.length);
      }),
    );
  });

  it('round-trips every safe integer as a varlong', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        const buf = Buffer.alloc(10);
        const end = writeVarlong(buf, 0, value);
        expect(sizeOfVarlong(value)).toBe(end);
        const reader = new VarintReader(buf);
        expect(reader.varlong()).toBe(value);
        expect(reader.pos).toBe(end);
      }),
    );
  });

  it('refuses a varint that runs past the buffer or past five bytes', () => {
    expect(() => new VarintReader(Buffer.from([0x80, 0x80])).varint()).toThrow(RangeError);
    expect(() => new VarintReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).varint()).toThrow(
      RangeError,
    );
    expect(() => new VarintReader(Buffer.from([0x80])).varlong()).toThrow(RangeError);
  });

  it('writes int64 fields exactly for every safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        const buf = Buffer.alloc(8);
        writeInt64BE(buf, 0, value);
        expect(buf.readBigInt64BE(0)).toBe(BigInt(value));
        expect(readInt64BE(buf, 0)).toBe(value);
      }),
    );
  });
});
