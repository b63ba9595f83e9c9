import { describe, expect, it } from '@jest/globals';
import { DataError, SchemaBuilder, Schemas, type Schema, type SinkRecord } from '@sluice/connect-api';
import { ChangeExtractor, type ExtractorOptions } from './change-extractor.js';
import { compileTableNameFormat } from './table-name-format.js';

let offset = 0;
function record(
  key: unknown,
  value: unknown,
  keySchema: Schema | null = null,
  valueSchema: Schema | null = null,
): SinkRecord {
  offset++;
  return {
    topic: 'shop.public.users',
    kafkaPartition: 2,
    kafkaOffset: offset,
    keySchema,
    key,
    valueSchema,
    value,
    timestamp: 0,
    headers: [],
    originalTopic: 'shop.public.users',
    originalKafkaPartition: 2,
    originalKafkaOffset: offset,
  };
}

function extractor(o: Partial<ExtractorOptions> & { format?: string } = {}): ChangeExtractor {
  return new ChangeExtractor({
    pkMode: 'none',
    pkFields: [],
    deleteEnabled: false,
    truncateEnabled: false,
    tableFormat: compileTableNameFormat(o.format ?? '${topic}'),
    ...o,
  });
}

const userSchema = SchemaBuilder.struct()
  .name('shop.public.users.Value')
  .field('id', Schemas.INT32)
  .field('name', Schemas.OPTIONAL_STRING)
  .build();
const keySchema = SchemaBuilder.struct().name('shop.public.users.Key').field('id', Schemas.INT32).build();
const sourceSchema = SchemaBuilder.struct()
  .field('schema', Schemas.STRING)
  .field('table', Schemas.STRING)
  .build();
const envelopeSchema = SchemaBuilder.struct()
  .name('shop.public.users.Envelope')
  .field('before', SchemaBuilder.from(userSchema).optional().build())
  .field('after', SchemaBuilder.from(userSchema).optional().build())
  .field('source', sourceSchema)
  .field('op', Schemas.STRING)
  .build();
const source = { schema: 'public', table: 'users' };

describe('ChangeExtractor', () => {
  it('writes plain struct values, sharing one shape per schema', () => {
    const x = extractor();
    const a = x.extract(record(null, { id: 1, name: 'a' }, null, userSchema));
    const b = x.extract(record(null, { id: 2, name: null }, null, userSchema));
    expect(a).toMatchObject({
      kind: 'write',
      table: { schema: null, table: 'shop.public.users' },
      values: [1, 'a'],
    });
    expect(a.kind === 'write' && a.shape.names).toEqual(['id', 'name']);
    expect(a.kind === 'write' && b.kind === 'write' && a.shape === b.shape).toBe(true);
  });

  it('takes key columns from the record key, first, and the rest from the value', () => {
    const x = extractor({ pkMode: 'record_key' });
    const c = x.extract(record({ id: 7 }, { id: 7, name: 'n' }, keySchema, userSchema));
    expect(c).toMatchObject({
      kind: 'write',
      values: [7, 'n'],
      shape: { names: ['id', 'name'], keyCount: 1 },
    });
    const primitive = extractor({ pkMode: 'record_key', pkFields: ['k'] }).extract(record('abc', { v: 1 }));
    expect(primitive).toMatchObject({ values: ['abc', 1], shape: { names: ['k', 'v'], keyCount: 1 } });
    expect(() => x.extract(record('abc', { v: 1 }))).toThrow(/exactly one column/);
    expect(() => x.extract(record(null, { v: 1 }))).toThrow(/no key/);
    // after a keyed record of the same schemas (whose column plan is kept), a record without one
    expect(() => x.extract(record(null, { id: 8, name: 'm' }, keySchema, userSchema))).toThrow(DataError);
  });

  it('takes key columns from the value with record_value, and topic/partition/offset with kafka', () => {
    const byValue = extractor({ pkMode: 'record_value', pkFields: ['name'] }).extract(
      record(null, { id: 1, name: 'x' }, null, userSchema),
    );
    expect(byValue).toMatchObject({ values: ['x', 1], shape: { names: ['name', 'id'], keyCount: 1 } });
    expect(() =>
      extractor({ pkMode: 'record_value', pkFields: ['nope'] }).extract(record(null, { id: 1 })),
    ).toThrow(/pk.fields names nope/);
    const r = record(null, { v: 1 });
    expect(extractor({ pkMode: 'kafka' }).extract(r)).toMatchObject({
      values: ['shop.public.users', 2, r.kafkaOffset, 1],
      shape: { names: ['__connect_topic', '__connect_partition', '__connect_offset', 'v'], keyCount: 3 },
    });
  });

  it('refuses null primary key values and non-row values', () => {
    const x = extractor({ pkMode: 'record_value', pkFields: ['id'] });
    expect(() => x.extract(record(null, { id: null, name: 'a' }, null, userSchema))).toThrow(
      /primary key column id is null/,
    );
    expect(() => extractor().extract(record(null, 'just text'))).toThrow(/must be a struct or an object/);
  });

  it('reads schemaless objects', () => {
    const c = extractor({ pkMode: 'record_key' }).extract(record({ id: 1 }, { id: 1, tags: ['a'] }));
    expect(c).toMatchObject({
      kind: 'write',
      values: [1, ['a']],
      shape: { names: ['id', 'tags'], schemas: [null, null] },
    });
  });

  it('deletes on tombstones only with delete.enabled and record_key', () => {
    expect(extractor({ pkMode: 'record_key' }).extract(record({ id: 1 }, null, keySchema))).toMatchObject({
      kind: 'skip',
      reason: 'tombstone',
    });
    expect(
      extractor({ pkMode: 'record_key', deleteEnabled: true }).extract(record({ id: 1 }, null, keySchema)),
    ).toMatchObject({
      kind: 'delete',
      values: [1],
      shape: { names: ['id'], keyCount: 1 },
    });
    expect(
      extractor({ pkMode: 'record_value', pkFields: ['id'], deleteEnabled: true }).extract(
        record({ id: 1 }, null),
      ),
    ).toMatchObject({ kind: 'skip', reason: 'tombstone' });
  });

  it('reads Debezium envelopes with schema: c/r/u write after, d deletes, t truncates', () => {
    const x = extractor({
      pkMode: 'record_key',
      deleteEnabled: true,
      truncateEnabled: true,
      format: '${source.schema}.${source.table}',
    });
    const env = (op: string, before: unknown, after: unknown) =>
      record({ id: 1 }, { before, after, source, op }, keySchema, envelopeSchema);
    const create = x.extract(env('c', null, { id: 1, name: 'a' }));
    expect(create).toMatchObject({
      kind: 'write',
      table: { schema: 'public', table: 'users' },
      values: [1, 'a'],
    });
    expect(create.kind === 'write' && create.shape.schemas[0]).toBe(Schemas.INT32);
    expect(x.extract(env('r', null, { id: 1, name: 'a' })).kind).toBe('write');
    expect(x.extract(env('u', { id: 1, name: 'a' }, { id: 1, name: 'b' }))).toMatchObject({
      values: [1, 'b'],
    });
    expect(x.extract(env('d', { id: 1, name: 'b' }, null))).toMatchObject({ kind: 'delete', values: [1] });
    expect(x.extract(env('t', null, null))).toMatchObject({
      kind: 'truncate',
      table: { schema: 'public', table: 'users' },
    });
    expect(x.extract(env('m', null, null))).toMatchObject({ kind: 'skip', reason: 'message' });
    expect(() => x.extract(env('z', null, null))).toThrow(/unknown Debezium op/);
    // a tombstone after the delete names no source table: skipped
    expect(x.extract(record({ id: 1 }, null, keySchema))).toMatchObject({
      kind: 'skip',
      reason: 'tombstone',
    });
  });

  it('reads schemaless envelopes and deletes by before with record_value', () => {
    const x = extractor({ pkMode: 'record_value', pkFields: ['id'], deleteEnabled: true });
    expect(
      x.extract(record(null, { before: null, after: { id: 3, name: 'c' }, source, op: 'c' })),
    ).toMatchObject({
      kind: 'write',
      values: [3, 'c'],
    });
    expect(x.extract(record(null, { before: { id: 3 }, after: null, source, op: 'd' }))).toMatchObject({
      kind: 'delete',
      values: [3],
    });
    expect(() => x.extract(record(null, { before: null, after: null, source, op: 'd' }))).toThrow(
      /without a before row/,
    );
    expect(
      extractor({ pkMode: 'record_value', pkFields: ['id'] }).extract(
        record(null, { before: { id: 3 }, after: null, op: 'd' }),
      ),
    ).toMatchObject({
      kind: 'skip',
      reason: 'delete disabled',
    });
  });

  it('treats an object with an op field but no before/after as a plain row', () => {
    expect(extractor().extract(record(null, { op: 'c', amount: 3 }))).toMatchObject({
      kind: 'write',
      values: ['c', 3],
    });
  });

  it('fails records whose table cannot be named', () => {
    expect(() => extractor({ format: '${source.table}' }).extract(record(null, { id: 1 }))).toThrow(
      /not a Debezium envelope/,
    );
  });
});
