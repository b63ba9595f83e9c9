import { describe, expect, it } from '@jest/globals';
import { Schemas } from '@sluice/connect-api';
import fc from 'fast-check';
import { StringConverter } from './string.converter.js';

function converter(config: Record<string, unknown> = {}): StringConverter {
  const c = new StringConverter();
  c.configure(config, false);
  return c;
}

describe('StringConverter', () => {
  it('round-trips strings as UTF-8', () => {
    const c = converter();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const bytes = c.fromConnectData('t', [], Schemas.STRING, s)!;
        expect(bytes.equals(Buffer.from(s, 'utf8'))).toBe(true);
        expect(c.toConnectData('t', [], bytes)).toEqual({ schema: Schemas.OPTIONAL_STRING, value: s });
      }),
      { numRuns: 100 },
    );
  });

  it('writes other values as readable text', () => {
    const c = converter();
    const text = (v: unknown) => c.fromConnectData('t', [], null, v)!.toString('utf8');
    expect(text(42)).toBe('42');
    expect(text(true)).toBe('true');
    expect(text(2n ** 64n)).toBe('18446744073709551616');
    expect(text(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(text({ a: [1] })).toBe('{"a":[1]}');
    expect(text(Buffer.from('raw'))).toBe('raw');
  });

  it('keeps nulls as nulls', () => {
    const c = converter();
    expect(c.fromConnectData('t', [], null, null)).toBeNull();
    expect(c.toConnectData('t', [], null)).toEqual({ schema: Schemas.OPTIONAL_STRING, value: null });
  });

  it('uses converter.encoding', () => {
    const c = converter({ 'converter.encoding': 'ISO-8859-1' });
    expect(c.fromConnectData('t', [], null, 'é')).toEqual(Buffer.from([0xe9]));
    expect(c.toConnectData('t', [], Buffer.from([0xe9])).value).toBe('é');
    expect(() => converter({ 'converter.encoding': 'EBCDIC' })).toThrow(/converter\.encoding must be one of/);
  });
});
