import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jsonArrayElementTexts, jsonValueTexts } from './json-value-texts.js';

describe('jsonArrayElementTexts', () => {
  it('gives each element of a compact array its own text, whatever the elements hold', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), (items) => {
        const texts = jsonArrayElementTexts(JSON.stringify(items));
        expect(texts).toEqual(items.map((item) => JSON.stringify(item)));
      }),
    );
  });

  it('takes whitespace between the elements, but gives no text for an element spread over lines', () => {
    const body = ' [ {"a":1} ,\n  {\n    "b": [1, 2]\n  },"x, \\"y\\" ]",\t-2.50e3 ,[] ]\n';
    expect(jsonArrayElementTexts(body)).toEqual(['{"a":1}', undefined, '"x, \\"y\\" ]"', '-2.50e3', '[]']);
  });

  it('keeps numbers as the sender wrote them', () => {
    expect(jsonArrayElementTexts('[{"id":12345678901234567890,"price":1.10}]')).toEqual([
      '{"id":12345678901234567890,"price":1.10}',
    ]);
  });

  it('gives nothing for an empty array', () => {
    expect(jsonArrayElementTexts('[ ]')).toEqual([]);
  });
});

describe('jsonValueTexts', () => {
  it('gives one value its trimmed text, and strings with backslashes before their quote whole', () => {
    expect(jsonValueTexts(' {"path":"C:\\\\","n":[1,{"m":"}"}]} ')).toEqual([
      '{"path":"C:\\\\","n":[1,{"m":"}"}]}',
    ]);
    expect(jsonValueTexts('{"a": 1}')).toEqual([undefined]);
  });

  it('refuses text that is not JSON rather than reading on forever', () => {
    expect(() => jsonValueTexts('{"a":"b')).toThrow(SyntaxError);
  });
});
