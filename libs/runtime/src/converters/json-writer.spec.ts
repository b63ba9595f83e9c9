import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas, type Schema } from '@sluice/connect-api';
import { plainStructs } from './fixtures/plain-structs.js';
import fc from 'fast-check';
import { ConnectJsonWriter } from './json-writer.js';

function written(writer: ConnectJsonWriter, schema: Schema, value: unknown): string {
  try {
    return writer.value(schema, value);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

describe('ConnectJsonWriter', () => {
  it('writes plain-object structs natively exactly as field by field (a Map takes that path)', () => {
    for (const replaceNull of [true, false]) {
      const writer = new ConnectJsonWriter('BASE64', replaceNull);
      fc.assert(
        fc.property(plainStructs, fc.boolean(), ({ schema, value }, nest) => {
          const outer = nest ? SchemaBuilder.struct().field('inner', schema).build() : schema;
          const plain = nest ? { inner: value } : value;
          const asMap = nest
            ? new Map([['inner', new Map(Object.entries(value))]])
            : new Map(Object.entries(value));
          expect(written(writer, outer, plain)).toBe(written(writer, outer, asMap));
        }),
        { numRuns: 500 },
      );
    }
  });

  it('takes the field-by-field path for objects that do not follow the schema', () => {
    const writer = new ConnectJsonWriter('BASE64', true);
    const schema = SchemaBuilder.struct()
      .field('a', Schemas.INT32)
      .field('b', Schemas.OPTIONAL_STRING)
      .build();
    expect(writer.value(schema, { b: 'x', a: 1 })).toBe('{"a":1,"b":"x"}');
    expect(writer.value(schema, { a: 1 })).toBe('{"a":1,"b":null}');
    expect(writer.value(schema, { a: 1, b: null, extra: true })).toBe('{"a":1,"b":null}');
    expect(() => writer.value(schema, { a: 'one', b: null })).toThrow(/invalid value for int32/);
  });
});
