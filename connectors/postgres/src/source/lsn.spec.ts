import { describe, expect, it } from '@jest/globals';
import { formatLsn, lsnFromOffset, lsnToInt64, parseLsn } from './lsn.js';

describe('LSN', () => {
  it('parses and formats the server form', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
    expect(() => parseLsn('16B374D848')).toThrow(/not an LSN/);
    expect(() => parseLsn('1FFFFFFFF/0')).toThrow(/out of range/);
  });

  it('reads offsets as decimal strings, numbers or the server form', () => {
    expect(lsnFromOffset('18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(lsnFromOffset(42)).toBe(42n);
    expect(lsnFromOffset('0/2A')).toBe(42n);
    expect(lsnFromOffset('nope')).toBeNull();
    expect(lsnFromOffset(-1)).toBeNull();
  });

  it('is a number as an int64 while exact, a bigint beyond 2^53', () => {
    expect(lsnToInt64(2n ** 53n - 1n)).toBe(2 ** 53 - 1);
    expect(lsnToInt64(2n ** 53n)).toBe(2n ** 53n);
  });
});
