import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { HeaderFromKey, HeaderFromValue } from './header-from.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

function configured(config: Record<string, unknown>): HeaderFromValue {
  const t = new HeaderFromValue();
  t.configure(config);
  return t;
}

const schema = SchemaBuilder.struct()
  .name('event')
  .field('id', Schemas.INT32)
  .field('tenant', Schemas.STRING)
  .field('body', Schemas.OPTIONAL_STRING)
  .build();

describe('HeaderFrom', () => {
  it('copies schemaless fields into headers', () => {
    const out = configured({
      fields: 'tenant,missing',
      headers: 'x-tenant,x-missing',
      operation: 'copy',
    }).apply(sourceRecord({ value: { id: 1, tenant: 't1' }, headers: [{ key: 'h', value: 0 }] }))!;
    expect(out.value).toEqual({ id: 1, tenant: 't1' });
    expect(out.headers).toEqual([
      { key: 'h', value: 0 },
      { key: 'x-tenant', value: 't1', schema: null },
      { key: 'x-missing', value: null, schema: null },
    ]);
  });

  it('moves struct fields into headers with their schemas, dropping them from the schema', () => {
    const t = configured({ fields: 'tenant', headers: 'x-tenant', operation: 'move' });
    const a = t.apply(sourceRecord({ valueSchema: schema, value: { id: 1, tenant: 't1', body: 'b' } }))!;
    const b = t.apply(sourceRecord({ valueSchema: schema, value: { id: 2, tenant: 't2', body: null } }))!;
    expect(b.valueSchema).toBe(a.valueSchema);
    expect(a.valueSchema!.name).toBe('event');
    expect(a.valueSchema!.fields!.map((f) => f.name)).toEqual(['id', 'body']);
    expect(a.value).toEqual({ id: 1, body: 'b' });
    expect(a.headers).toEqual([{ key: 'x-tenant', value: 't1', schema: Schemas.STRING }]);
  });

  it('copies from keys, and moves schemaless fields', () => {
    const t = new HeaderFromKey();
    t.configure({ fields: 'id', headers: 'key-id', operation: 'move' });
    const out = t.apply(sourceRecord({ key: { id: 5, other: 1 }, value: 'v' }))!;
    expect(out.key).toEqual({ other: 1 });
    expect(out.value).toBe('v');
    expect(out.headers).toEqual([{ key: 'key-id', value: 5, schema: null }]);
  });

  it('rejects tombstones and unknown struct fields', () => {
    const t = configured({ fields: 'nope', headers: 'h', operation: 'copy' });
    expect(() => t.apply(sourceRecord({ value: null }))).toThrow(/Only Map objects supported/);
    expect(() => t.apply(sourceRecord({ valueSchema: schema, value: { id: 1 } }))).toThrow(
      /Field does not exist: nope/,
    );
  });

  it('names every bad setting', () => {
    expect(() => configured({ fields: 'a,b', headers: 'x', operation: 'swap' })).toThrow(
      /headers must have the same number of elements as fields.*operation must be one of/,
    );
  });
});
