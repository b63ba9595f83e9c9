import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas, type Schema } from '@sluice/connect-api';
import fc from 'fast-check';
import { ConnectJsonWriter } from './json-writer.js';

/** A field's schema and values that fit it (and some that do not). */
const fieldKinds: { schema: Schema; value: fc.Arbitrary<unknown> }[] = [
  { schema: Schemas.INT32, value: fc.oneof(fc.integer(), fc.constant(2 ** 40), fc.constant(1.5)) },
  { schema: Schemas.OPTIONAL_INT64, value: fc.oneof(fc.integer(), fc.constant(null), fc.bigInt()) },
  { schema: Schemas.FLOAT64, value: fc.oneof(fc.double(), fc.constant(-0)) },
  { schema: Schemas.OPTIONAL_STRING, value: fc.oneof(fc.string(), fc.constant(null)) },
  { schema: Schemas.BOOLEAN, value: fc.boolean() },
  {
    schema: SchemaBuilder.type('string').optional().defaultValue('none').build(),
    value: fc.oneof(fc.string(), fc.constant(null)),
  },
];

const struct = fc
  .array(fc.integer({ min: 0, max: fieldKinds.length - 1 }), { minLength: 1, maxLength: 6 })
  .chain((kinds) => {
    const builder = SchemaBuilder.struct();
    kinds.forEach((k, i) => builder.field(`f${i}`, fieldKinds[k]!.schema));
    const schema = builder.build();
    return fc
      .tuple(...kinds.map((k) => fieldKinds[k]!.value))
      .map((values) => ({ schema, value: Object.fromEntries(values.map((v, i) => [`f${i}`, v])) }));
  });

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
        fc.property(struct, fc.boolean(), ({ schema, value }, nest) => {
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
