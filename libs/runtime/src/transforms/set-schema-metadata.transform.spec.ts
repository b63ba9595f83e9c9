import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { sourceRecord } from '../testing/record-fixtures.js';
import { SetSchemaMetadataKey, SetSchemaMetadataValue } from './set-schema-metadata.transform.js';

function configured(config: Record<string, unknown>): SetSchemaMetadataValue {
  const t = new SetSchemaMetadataValue();
  t.configure(config);
  return t;
}

describe('SetSchemaMetadata', () => {
  const schema = SchemaBuilder.struct().name('old').version(1).doc('d').field('id', Schemas.INT32).build();

  it('sets name and version, keeping the rest, cached', () => {
    const t = configured({ 'schema.name': 'com.example.Order', 'schema.version': '3' });
    const value = { id: 1 };
    const a = t.apply(sourceRecord({ valueSchema: schema, value }))!;
    expect(t.apply(sourceRecord({ valueSchema: schema, value }))!.valueSchema).toBe(a.valueSchema);
    expect(a.valueSchema).toMatchObject({ name: 'com.example.Order', version: 3, doc: 'd', type: 'struct' });
    expect(a.valueSchema!.fields).toEqual(schema.fields);
    expect(a.value).toBe(value);
  });

  it('sets only what is configured, on keys too', () => {
    const t = new SetSchemaMetadataKey();
    t.configure({ 'schema.version': 7 });
    const out = t.apply(sourceRecord({ keySchema: schema, key: { id: 1 } }))!;
    expect(out.keySchema).toMatchObject({ name: 'old', version: 7 });
  });

  it('requires a schema on the record, and something to set', () => {
    expect(() => configured({ 'schema.name': 'x' }).apply(sourceRecord({ value: {} }))).toThrow(
      /Schema required/,
    );
    expect(() => configured({})).toThrow(/schema\.name or schema\.version must be set/);
    expect(() => configured({ 'schema.version': 'two' })).toThrow(/schema\.version must be a number/);
  });
});
