import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { sourceRecord } from '../testing/record-fixtures.js';
import { ValueToKey } from './value-to-key.transform.js';

function configured(fields: string): ValueToKey {
  const t = new ValueToKey();
  t.configure({ fields });
  return t;
}

describe('ValueToKey', () => {
  it('builds a schemaless key from value fields, null for missing ones', () => {
    const out = configured('id,region').apply(sourceRecord({ key: 'old', value: { id: 1, name: 'x' } }))!;
    expect(out.key).toEqual({ id: 1, region: null });
    expect(out.keySchema).toBeNull();
    expect(out.value).toEqual({ id: 1, name: 'x' });
  });

  it('builds a struct key schema from the value schema, cached', () => {
    const valueSchema = SchemaBuilder.struct()
      .field('id', Schemas.INT64)
      .field('name', Schemas.STRING)
      .field('tenant', Schemas.OPTIONAL_STRING)
      .build();
    const t = configured('tenant,id');
    const a = t.apply(sourceRecord({ valueSchema, value: { id: 1, name: 'x', tenant: 't' } }))!;
    const b = t.apply(sourceRecord({ valueSchema, value: { id: 2, name: 'y' } }))!;
    expect(a.keySchema!.fields!.map((f) => [f.name, f.schema])).toEqual([
      ['tenant', Schemas.OPTIONAL_STRING],
      ['id', Schemas.INT64],
    ]);
    expect(b.keySchema).toBe(a.keySchema);
    expect(a.key).toEqual({ tenant: 't', id: 1 });
    expect(b.key).toEqual({ tenant: null, id: 2 });
    expect(() => configured('nope').apply(sourceRecord({ valueSchema, value: { id: 1 } }))).toThrow(
      /Field does not exist: nope/,
    );
  });

  it('rejects tombstones, as Kafka does', () => {
    expect(() => configured('id').apply(sourceRecord({ value: null }))).toThrow(/Only Map objects supported/);
  });

  it('requires fields', () => {
    expect(() => new ValueToKey().configure({})).toThrow(/fields is required/);
  });
});
