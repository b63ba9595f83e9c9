import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { ExtractFieldKey, ExtractFieldValue } from './extract-field.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

function configured(config: Record<string, unknown>): ExtractFieldValue {
  const t = new ExtractFieldValue();
  t.configure(config);
  return t;
}

const address = SchemaBuilder.struct().field('city', Schemas.STRING).build();
const schema = SchemaBuilder.struct()
  .field('id', Schemas.INT32)
  .field('address', address)
  .field('a.b', Schemas.OPTIONAL_STRING)
  .build();

describe('ExtractField', () => {
  it('extracts a schemaless field, null when missing', () => {
    expect(configured({ field: 'id' }).apply(sourceRecord({ value: { id: 4 } }))!.value).toBe(4);
    expect(configured({ field: 'id' }).apply(sourceRecord({ value: new Map([['id', 5]]) }))!.value).toBe(5);
    expect(configured({ field: 'nope' }).apply(sourceRecord({ value: { id: 4 } }))!.value).toBeNull();
  });

  it('extracts a struct field with its schema', () => {
    const out = configured({ field: 'address' }).apply(
      sourceRecord({ valueSchema: schema, value: { id: 1, address: { city: 'Oslo' } } }),
    )!;
    expect(out.valueSchema).toBe(address);
    expect(out.value).toEqual({ city: 'Oslo' });
    expect(() =>
      configured({ field: 'nope' }).apply(sourceRecord({ valueSchema: schema, value: {} })),
    ).toThrow(/Unknown field: nope/);
  });

  it('reads dotted names as one field in V1 and as a path in V2', () => {
    const value = { id: 1, address: { city: 'Oslo' }, 'a.b': 'dotted' };
    expect(configured({ field: 'a.b' }).apply(sourceRecord({ valueSchema: schema, value }))!.value).toBe(
      'dotted',
    );
    const v2 = configured({ field: 'address.city', 'field.syntax.version': 'V2' });
    const out = v2.apply(sourceRecord({ valueSchema: schema, value }))!;
    expect(out.valueSchema).toBe(Schemas.STRING);
    expect(out.value).toBe('Oslo');
    expect(v2.apply(sourceRecord({ value: { address: { city: 'Rome' } } }))!.value).toBe('Rome');
    expect(v2.apply(sourceRecord({ value: { address: null } }))!.value).toBeNull();
    const quoted = configured({ field: '`a.b`', 'field.syntax.version': 'V2' });
    expect(quoted.apply(sourceRecord({ valueSchema: schema, value }))!.value).toBe('dotted');
  });

  it('passes null through with the field schema', () => {
    const out = configured({ field: 'id' }).apply(sourceRecord({ valueSchema: schema, value: null }))!;
    expect(out.valueSchema).toBe(Schemas.INT32);
    expect(out.value).toBeNull();
    expect(configured({ field: 'id' }).apply(sourceRecord({ value: null }))!.value).toBeNull();
  });

  it('works on keys', () => {
    const t = new ExtractFieldKey();
    t.configure({ field: 'id' });
    expect(t.apply(sourceRecord({ key: { id: 'k' } }))!.key).toBe('k');
  });

  it('names bad settings', () => {
    expect(() => configured({})).toThrow(/field is required/);
    expect(() => configured({ field: 'x', 'field.syntax.version': 'V3' })).toThrow(/field\.syntax\.version/);
    expect(() => configured({ field: '`a.b', 'field.syntax.version': 'V2' })).toThrow(/Incomplete backtick/);
  });
});
