import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { JsonDecimal, maybeLossy, parseJson, parseJsonExact, quoteJson, writeJson } from './json-text.js';

/** The definition maybeLossy samples: a digit followed by 15 more digits or dots. */
function hasLongRun(text: string): boolean {
  return /[0-9][0-9.]{15}/.test(text);
}

describe('maybeLossy', () => {
  it('finds every run of 16 digits or dots that starts with a digit, wherever it lies', () => {
    const piece = fc.constantFrom('1', '9', '0', '.', 'a', '"', ',', ' ', 'e', '-', '1234567', '.....');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (pieces) => {
        const text = pieces.join('');
        expect(maybeLossy(text)).toBe(hasLongRun(text));
      }),
      { numRuns: 2000 },
    );
    expect(maybeLossy('x'.repeat(15) + '1234567890123456')).toBe(true);
    expect(maybeLossy('.'.repeat(20) + '123456789012345')).toBe(false);
    expect(maybeLossy('{"id":123456789012345,"at":1790000000000}')).toBe(false);
  });
});

describe('parseJson', () => {
  it('reads numbers JSON.parse would round exactly', () => {
    const { value, lossless } = parseJson(
      '{"id":9223372036854775807,"d":1234567.123456789,"small":[1,2.5,-0.5e3]}',
    );
    expect(lossless).toBe(true);
    expect(value).toEqual({
      id: 9223372036854775807n,
      d: new JsonDecimal('1234567.123456789'),
      small: [1, 2.5, -500],
    });
  });

  it('agrees with JSON.parse on any JSON text, up to the precision JSON.parse drops', () => {
    const asDoubles = (_key: string, v: unknown) =>
      typeof v === 'bigint' ? Number(v) : v instanceof JsonDecimal ? v.toNumber() : v;
    fc.assert(
      fc.property(fc.json(), fc.constantFrom('', ' ', '\n\t '), (text, space) => {
        const spaced = `${space}${text}${space}`;
        expect(JSON.stringify(parseJsonExact(spaced), asDoubles)).toBe(JSON.stringify(JSON.parse(spaced)));
      }),
      { numRuns: 300 },
    );
  });

  it('throws SyntaxError on invalid text in both paths', () => {
    expect(() => parseJson('{"a":}')).toThrow(SyntaxError);
    expect(() => parseJson('{"a":12345678901234567,}')).toThrow(/Expected a property name/);
    expect(() => parseJson('[12345678901234567 1]')).toThrow(/Expected "," or "]"/);
    expect(() => parseJson('"12345678901234567')).toThrow(SyntaxError);
  });

  it('keeps __proto__ as an own property', () => {
    const { value } = parseJson('{"__proto__":{"x":12345678901234567}}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(['__proto__']);
  });
});

describe('writeJson', () => {
  it('writes what JSON.stringify writes, plus bigints, bytes, Maps and Jackson’s non-finite doubles', () => {
    expect(writeJson({ a: 1, u: undefined, s: 'x"y', l: [null, true] })).toBe(
      '{"a":1,"s":"x\\"y","l":[null,true]}',
    );
    expect(writeJson(new Map<unknown, unknown>([[1, 2n ** 70n]]))).toBe('{"1":1180591620717411303424}');
    expect(writeJson(Buffer.from('hi'))).toBe('"aGk="');
    expect(writeJson([NaN, -Infinity])).toBe('["NaN","-Infinity"]');
    expect(() => writeJson(() => 1)).toThrow(/Cannot write a function/);
  });
});

describe('quoteJson', () => {
  it('writes what JSON.stringify writes, escaping or not', () => {
    const samples = [
      '',
      'plain text',
      'über 日本 🎉',
      'quote " and backslash \\',
      'controls \u0000 \u0001 \t \n \u001f',
      'del \u007f and separators \u2028 \u2029',
      'lone surrogates \ud800 and \udfff',
      'a pair \ud83c\udf89',
    ];
    for (const s of samples) expect(quoteJson(s)).toBe(JSON.stringify(s));
    // any UTF-16 code units, lone surrogates included
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => quoteJson(s) === JSON.stringify(s)));
  });
});
