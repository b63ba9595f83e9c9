import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { MaskFieldKey, MaskFieldValue } from './mask-field.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

function configured(config: Record<string, unknown>): MaskFieldValue {
  const t = new MaskFieldValue();
  t.configure(config);
  return t;
}

describe('MaskField', () => {
  it('masks schemaless values with the empty value of their type', () => {
    const value = {
      n: 5,
      s: 'secret',
      b: true,
      d: new Date(5),
      list: [1],
      map: { a: 1 },
      big: 10n,
      nil: null,
      keep: 'k',
    };
    const out = configured({ fields: 'n,s,b,d,list,map,big,nil,absent' }).apply(sourceRecord({ value }))!;
    expect(out.value).toEqual({
      n: 0,
      s: '',
      b: false,
      d: new Date(0),
      list: [],
      map: {},
      big: 0n,
      nil: null,
      keep: 'k',
    });
    expect(out.value).not.toHaveProperty('absent');
    expect(value.s).toBe('secret');
  });

  it('uses the replacement for strings and numbers and refuses it elsewhere', () => {
    const t = configured({ fields: 'ssn,age', replacement: '42' });
    expect(t.apply(sourceRecord({ value: { ssn: '123-45', age: 30 } }))!.value).toEqual({
      ssn: '42',
      age: 42,
    });
    expect(() => t.apply(sourceRecord({ value: { ssn: true } }))).toThrow(/Cannot mask field ssn/);
    const words = configured({ fields: 'age', replacement: 'redacted' });
    expect(() => words.apply(sourceRecord({ value: { age: 30 } }))).toThrow(/Unable to convert replacement/);
  });

  it('masks struct fields by their schema type and keeps the schema', () => {
    const schema = SchemaBuilder.struct()
      .field('id', Schemas.INT32)
      .field('email', Schemas.OPTIONAL_STRING)
      .field('score', Schemas.FLOAT64)
      .field('price', Schemas.decimal(2))
      .field('born', Schemas.date())
      .field('gone', Schemas.OPTIONAL_STRING)
      .build();
    const value = { id: 7, email: 'a@b', score: 1.5, price: '9.99', born: new Date(86_400_000), gone: null };
    const out = configured({ fields: 'email,score,price,born,gone' }).apply(
      sourceRecord({ valueSchema: schema, value }),
    )!;
    expect(out.valueSchema).toBe(schema);
    expect(out.value).toEqual({ id: 7, email: '', score: 0, price: '0.00', born: new Date(0), gone: null });
    const replaced = configured({ fields: 'id,price', replacement: '-1' }).apply(
      sourceRecord({ valueSchema: schema, value }),
    )!;
    expect(replaced.value).toMatchObject({ id: -1, price: '-1.00' });
  });

  it('refuses to mask bytes and structs', () => {
    expect(() =>
      configured({ fields: 'raw' }).apply(sourceRecord({ value: { raw: Buffer.from('x') } })),
    ).toThrow(/Cannot mask field raw of type Buffer/);
  });

  it('works on keys and passes tombstones through', () => {
    const t = new MaskFieldKey();
    t.configure({ fields: ['id'] });
    expect(t.apply(sourceRecord({ key: { id: 9 } }))!.key).toEqual({ id: 0 });
    const tombstone = sourceRecord({ value: null });
    expect(configured({ fields: 'x' }).apply(tombstone)).toBe(tombstone);
  });

  it('requires fields', () => {
    expect(() => configured({})).toThrow(/fields is required/);
    expect(() => configured({ fields: [] })).toThrow(/fields should not be empty/);
  });
});
