import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import fc from 'fast-check';
import { plainStructs } from './fixtures/plain-structs.js';
import { ConnectJsonReader } from './json-reader.js';

function read(
  reader: ConnectJsonReader,
  schema: Parameters<ConnectJsonReader['value']>[0],
  node: unknown,
): unknown {
  try {
    return reader.value(schema, node);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

describe('ConnectJsonReader', () => {
  it('returns a parsed struct as it is exactly when reading it field by field gives the same', () => {
    for (const replaceNull of [true, false]) {
      const reader = new ConnectJsonReader(10, replaceNull);
      fc.assert(
        fc.property(plainStructs, ({ schema, value }) => {
          // an extra field sends the object down the field-by-field path, which drops it
          expect(read(reader, schema, value)).toStrictEqual(read(reader, schema, { ...value, extra: 1 }));
        }),
        { numRuns: 500 },
      );
    }
  });

  it('reads objects that are not already the struct field by field', () => {
    const reader = new ConnectJsonReader(10, true);
    const schema = SchemaBuilder.struct()
      .field('a', Schemas.INT32)
      .field('b', Schemas.OPTIONAL_STRING)
      .build();
    const asIs = { a: 1, b: 'x' };
    expect(reader.value(schema, asIs)).toBe(asIs);
    expect(reader.value(schema, { b: 'x', a: 1 })).toStrictEqual({ a: 1, b: 'x' });
    expect(reader.value(schema, { a: 1 })).toStrictEqual({ a: 1, b: null });
    expect(() => reader.value(schema, { a: 'one', b: null })).toThrow(/expected an integer for int32/);
  });
});
