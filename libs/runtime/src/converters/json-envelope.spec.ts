import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { splitEnvelope } from './json-envelope.js';

describe('splitEnvelope', () => {
  it('splits the same with a schema text seen before as without', () => {
    const container = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()));
    fc.assert(
      fc.property(container, container, fc.jsonValue(), (schema, known, payload) => {
        const schemaText = JSON.stringify(schema);
        const text = `{"schema":${schemaText},"payload":${JSON.stringify(payload)}}`;
        const expected = { schema: schemaText, payload: JSON.stringify(payload) };
        expect(splitEnvelope(text)).toEqual(expected);
        expect(splitEnvelope(text, schemaText)).toEqual(expected);
        expect(splitEnvelope(text, JSON.stringify(known))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
