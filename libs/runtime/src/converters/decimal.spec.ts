import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { bytesToUnscaled, formatDecimal, unscaledAt, unscaledToBytes } from './decimal.js';

describe('decimals', () => {
  it('encodes unscaled values as Java’s BigInteger.toByteArray does', () => {
    expect(unscaledToBytes(0n)).toEqual(Buffer.from([0]));
    expect(unscaledToBytes(127n)).toEqual(Buffer.from([0x7f]));
    expect(unscaledToBytes(128n)).toEqual(Buffer.from([0x00, 0x80]));
    expect(unscaledToBytes(-1n)).toEqual(Buffer.from([0xff]));
    expect(unscaledToBytes(-128n)).toEqual(Buffer.from([0x80]));
    expect(unscaledToBytes(-129n)).toEqual(Buffer.from([0xff, 0x7f]));
    fc.assert(fc.property(fc.bigInt(), (n) => expect(bytesToUnscaled(unscaledToBytes(n))).toBe(n)));
  });

  it('rescales decimal text without losing digits', () => {
    expect(unscaledAt('12.3', 2)).toBe(1230n);
    expect(unscaledAt('-0.05', 2)).toBe(-5n);
    expect(unscaledAt('1.5e3', 0)).toBe(1500n);
    expect(unscaledAt(1e-7, 7)).toBe(1n);
    expect(unscaledAt(12n, 1)).toBe(120n);
    expect(unscaledAt('1200', -2)).toBe(12n);
    expect(() => unscaledAt('1.234', 2)).toThrow(/more digits/);
    expect(() => unscaledAt('abc', 2)).toThrow(/Invalid decimal/);
    expect(formatDecimal(-1230n, 2)).toBe('-12.30');
    expect(formatDecimal(5n, 3)).toBe('0.005');
    expect(formatDecimal(12n, -2)).toBe('1200');
    fc.assert(
      fc.property(fc.bigInt(), fc.integer({ min: -5, max: 10 }), (n, scale) =>
        expect(unscaledAt(formatDecimal(n, scale), scale)).toBe(n),
      ),
    );
  });
});
