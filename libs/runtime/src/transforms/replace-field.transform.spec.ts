import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { ConfigException } from './config-exception.js';
import { sourceRecord } from '../testing/record-fixtures.js';
import { ReplaceFieldKey, ReplaceFieldValue } from './replace-field.transform.js';

function configured(config: Record<string, unknown>): ReplaceFieldValue {
  const t = new ReplaceFieldValue();
  t.configure(config);
  return t;
}

const schema = SchemaBuilder.struct()
  .name('user')
  .field('id', Schemas.INT64)
  .field('name', Schemas.STRING)
  .field('password', Schemas.OPTIONAL_STRING)
  .build();

describe('ReplaceField', () => {
  it('excludes and renames schemaless fields', () => {
    const out = configured({ exclude: 'password', renames: 'id:user_id, name:full_name' }).apply(
      sourceRecord({ value: { id: 1, name: 'Ada', password: 'x', extra: true } }),
    )!;
    expect(out.value).toEqual({ user_id: 1, full_name: 'Ada', extra: true });
  });

  it('keeps only included fields, exclude winning over include', () => {
    const out = configured({ include: 'id,name', exclude: 'name' }).apply(
      sourceRecord({ value: { id: 1, name: 'Ada', password: 'x' } }),
    )!;
    expect(out.value).toEqual({ id: 1 });
  });

  it('accepts the legacy blacklist and whitelist names', () => {
    const out = configured({ blacklist: 'password' }).apply(
      sourceRecord({ value: { id: 1, password: 'x' } }),
    )!;
    expect(out.value).toEqual({ id: 1 });
    const kept = configured({ whitelist: ['id'] }).apply(sourceRecord({ value: { id: 1, password: 'x' } }))!;
    expect(kept.value).toEqual({ id: 1 });
  });

  it('rebuilds the struct schema with renamed fields, cached', () => {
    const t = configured({ exclude: 'password', renames: 'id:user_id' });
    const a = t.apply(sourceRecord({ valueSchema: schema, value: { id: 1, name: 'Ada', password: null } }))!;
    const b = t.apply(sourceRecord({ valueSchema: schema, value: { id: 2, name: 'Bob', password: 'p' } }))!;
    expect(b.valueSchema).toBe(a.valueSchema);
    expect(a.valueSchema!.name).toBe('user');
    expect(a.valueSchema!.fields!.map((f) => [f.name, f.schema.type])).toEqual([
      ['user_id', 'int64'],
      ['name', 'string'],
    ]);
    expect(a.value).toEqual({ user_id: 1, name: 'Ada' });
  });

  it('works on keys and passes tombstones through', () => {
    const t = new ReplaceFieldKey();
    t.configure({ exclude: 'b' });
    expect(t.apply(sourceRecord({ key: { a: 1, b: 2 } }))!.key).toEqual({ a: 1 });
    const tombstone = sourceRecord({ key: { a: 1 }, value: null });
    expect(configured({ exclude: 'a' }).apply(tombstone)).toBe(tombstone);
  });

  it('names the field of a malformed rename list', () => {
    expect(() => configured({ renames: 'a:b,oops' })).toThrow(ConfigException);
    expect(() => configured({ renames: 'a:b,oops' })).toThrow(
      /renames must be a list of from:to pairs.*"oops"/,
    );
  });
});
