import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { CastKey, CastValue, castValue } from './cast.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

function configured(spec: string): CastValue {
  const t = new CastValue();
  t.configure({ spec });
  return t;
}

describe('Cast', () => {
  it('casts schemaless fields, leaving others and missing ones alone', () => {
    const out = configured('age:int32,score:float64,active:boolean,id:string').apply(
      sourceRecord({ value: { age: '42', score: '1.5', active: 1, id: 7, name: 'x' } }),
    )!;
    expect(out.value).toEqual({ age: 42, score: 1.5, active: true, id: '7', name: 'x' });
  });

  it('casts the whole value', () => {
    expect(configured('int64').apply(sourceRecord({ value: '123' }))!.value).toBe(123);
    const out = configured('string').apply(sourceRecord({ valueSchema: Schemas.OPTIONAL_INT32, value: 5 }))!;
    expect(out.valueSchema).toEqual(Schemas.OPTIONAL_STRING);
    expect(out.value).toBe('5');
  });

  it('rebuilds struct schemas with cast field types, optionality and defaults', () => {
    const schema = SchemaBuilder.struct()
      .name('row')
      .field('id', Schemas.INT64)
      .field('n', SchemaBuilder.type('string').optional().defaultValue('7').build())
      .field('at', Schemas.timestamp())
      .build();
    const t = configured('n:int16,at:string,id:float32');
    const a = t.apply(sourceRecord({ valueSchema: schema, value: { id: 1, n: '3', at: new Date(1500) } }))!;
    expect(
      t.apply(sourceRecord({ valueSchema: schema, value: { id: 2, n: null, at: new Date(0) } }))!.valueSchema,
    ).toBe(a.valueSchema);
    expect(a.valueSchema!.name).toBe('row');
    const fields = a.valueSchema!.fields!;
    expect(fields.map((f) => [f.name, f.schema.type, f.schema.optional, f.schema.defaultValue])).toEqual([
      ['id', 'float32', false, undefined],
      ['n', 'int16', true, 7],
      ['at', 'string', false, undefined],
    ]);
    expect(fields[2]!.schema.name).toBeUndefined();
    expect(a.value).toEqual({ id: 1, n: 3, at: '1970-01-01T00:00:01.500Z' });
  });

  it('follows Java conversions', () => {
    expect(castValue(300, null, 'int8')).toBe(44);
    expect(castValue(-1.9, null, 'int32')).toBe(-1);
    expect(castValue(1e20, null, 'int32')).toBe(2147483647);
    expect(castValue(2n ** 63n, null, 'int64')).toBe(-(2n ** 63n));
    expect(castValue('9007199254740993', null, 'int64')).toBe(9007199254740993n);
    expect(castValue(0.1, null, 'float32')).toBe(Math.fround(0.1));
    expect(castValue('yes', null, 'boolean')).toBe(false);
    expect(castValue('TRUE', null, 'boolean')).toBe(true);
    expect(castValue(true, null, 'int8')).toBe(1);
    expect(castValue(Buffer.from('hi'), Schemas.BYTES, 'string')).toBe('aGk=');
    expect(castValue('12.50', Schemas.decimal(2), 'int32')).toBe(12);
    // BigDecimal.longValue(): exact past 2^53, truncated toward zero, low-order bits kept
    expect(castValue('9007199254740993', Schemas.decimal(0), 'int64')).toBe(9007199254740993n);
    expect(castValue('-7.90', Schemas.decimal(2), 'int64')).toBe(-7);
    expect(castValue('300.5', Schemas.decimal(1), 'int8')).toBe(44);
    expect(castValue('0.50', Schemas.decimal(2), 'boolean')).toBe(false);
    expect(castValue('2.50', Schemas.decimal(2), 'float64')).toBe(2.5);
    // Number.longValue() != 0, as Kafka's castToBoolean
    expect(castValue(0.5, null, 'boolean')).toBe(false);
    expect(castValue(-1.5, null, 'boolean')).toBe(true);
    expect(castValue(NaN, null, 'boolean')).toBe(false);
    expect(castValue(new Date(86_400_000), Schemas.date(), 'string')).toBe('1970-01-02');
    expect(castValue(new Date(5), null, 'int64')).toBe(5);
  });

  it('fails unparseable values as data errors', () => {
    expect(() => castValue('abc', null, 'int32')).toThrow(/Cannot cast string "abc" to int32/);
    expect(() => castValue('300', null, 'int8')).toThrow(/int8/);
    expect(() => castValue({ a: 1 }, null, 'string')).toThrow(/cannot cast/);
    const nested = SchemaBuilder.struct().field('s', SchemaBuilder.struct().build()).build();
    expect(() =>
      configured('s:string').apply(sourceRecord({ valueSchema: nested, value: { s: {} } })),
    ).toThrow(/does not support casting to\/from struct/);
  });

  it('works on keys and passes tombstones through', () => {
    const t = new CastKey();
    t.configure({ spec: 'int32' });
    expect(t.apply(sourceRecord({ key: '5' }))!.key).toBe(5);
    const tombstone = sourceRecord({ value: null });
    expect(configured('int8').apply(tombstone)).toBe(tombstone);
  });

  it('names bad specs', () => {
    expect(() => configured('age:int33')).toThrow(/spec .*unknown type "int33"/);
    expect(() => configured('int32,age:int8')).toThrow(/"int32" is not field:type/);
    expect(() => new CastValue().configure({})).toThrow(/spec is required/);
  });
});
