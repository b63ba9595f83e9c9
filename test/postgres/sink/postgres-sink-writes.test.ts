import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import type { PostgresSinkTask } from '../../../connectors/postgres/src/sink/index.js';
import { PostgresServer } from '../../support/postgres-server.js';
import {
  envelopeSchema,
  putAndFlush,
  RecordFactory,
  sourceBlock,
  startSinkTask,
  type FakeSinkContext,
} from './sink-test-kit.js';

let server: PostgresServer;
const DB = 'sinkwrites';
const running: PostgresSinkTask[] = [];

beforeAll(async () => {
  server = await PostgresServer.start();
  await server.createDatabase(DB);
}, 60_000);
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop();
});
afterAll(async () => {
  await server?.stop();
});

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
  server.query<T>(sql, params, DB);

async function sink(
  config: Record<string, string>,
): Promise<{ task: PostgresSinkTask; context: FakeSinkContext }> {
  const started = await startSinkTask({ 'connection.url': server.url(DB), topics: 'x', ...config });
  running.push(started.task);
  return started;
}

const userValue = SchemaBuilder.struct()
  .name('shop.public.users.Value')
  .field('id', Schemas.INT32)
  .field('name', Schemas.OPTIONAL_STRING)
  .field('score', Schemas.OPTIONAL_FLOAT64)
  .build();
const userKey = SchemaBuilder.struct().name('shop.public.users.Key').field('id', Schemas.INT32).build();

describe('postgres-sink writes', () => {
  it('inserts (pk.mode=none) into a table it creates from the schema', async () => {
    const { task } = await sink({ 'auto.create': 'true', 'table.name.format': 'plain_${topic}' });
    const f = new RecordFactory('events');
    await putAndFlush(
      task,
      [1, 2, 3].map((id) =>
        f.record(null, { id, name: `n${id}`, score: id / 2 }, { valueSchema: userValue }),
      ),
    );
    expect(await q('SELECT id, name, score FROM plain_events ORDER BY id')).toEqual([
      { id: 1, name: 'n1', score: 0.5 },
      { id: 2, name: 'n2', score: 1 },
      { id: 3, name: 'n3', score: 1.5 },
    ]);
    const cols = await q<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'plain_events' ORDER BY ordinal_position`,
    );
    expect(cols).toEqual([
      { column_name: 'id', data_type: 'integer', is_nullable: 'NO' },
      { column_name: 'name', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'score', data_type: 'double precision', is_nullable: 'YES' },
    ]);
  });

  it('upserts by record key, the last change of a key in a batch winning', async () => {
    const { task } = await sink({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'record_key' });
    const f = new RecordFactory('users_upsert');
    const r = (id: number, name: string) =>
      f.record({ id }, { id, name, score: null }, { keySchema: userKey, valueSchema: userValue });
    await putAndFlush(task, [r(1, 'a'), r(2, 'b'), r(1, 'c'), r(3, 'd'), r(1, 'e')]);
    await putAndFlush(task, [r(2, 'B'), r(4, 'x')]);
    expect(await q('SELECT id, name FROM users_upsert ORDER BY id')).toEqual([
      { id: 1, name: 'e' },
      { id: 2, name: 'B' },
      { id: 3, name: 'd' },
      { id: 4, name: 'x' },
    ]);
    const pk = await q<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'users_upsert'::regclass AND contype = 'p'`,
    );
    expect(pk).toEqual([{ def: 'PRIMARY KEY (id)' }]);
  });

  it('writes one batch into several tables of one shape, their rows kept apart', async () => {
    // one staging table serves both tables: it is emptied between them inside one transaction
    const { task } = await sink({
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'table.name.format': 'shape_${topic}',
    });
    const a = new RecordFactory('a');
    const b = new RecordFactory('b');
    const r = (f: RecordFactory, id: number, name: string) =>
      f.record({ id }, { id, name, score: null }, { keySchema: userKey, valueSchema: userValue });
    await putAndFlush(task, [r(a, 1, 'a1'), r(b, 1, 'b1'), r(a, 2, 'a2'), r(b, 2, 'b2')]);
    await putAndFlush(task, [r(b, 1, 'B1'), r(a, 3, 'a3')]);
    expect(await q('SELECT id, name FROM shape_a ORDER BY id')).toEqual([
      { id: 1, name: 'a1' },
      { id: 2, name: 'a2' },
      { id: 3, name: 'a3' },
    ]);
    expect(await q('SELECT id, name FROM shape_b ORDER BY id')).toEqual([
      { id: 1, name: 'B1' },
      { id: 2, name: 'b2' },
    ]);
  });

  it('updates existing rows only (insert.mode=update, pk.mode=record_value)', async () => {
    await q('CREATE TABLE upd (id int PRIMARY KEY, name text, score float8)');
    await q(`INSERT INTO upd VALUES (1, 'one', 1), (2, 'two', 2)`);
    const { task } = await sink({ 'insert.mode': 'update', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    const f = new RecordFactory('upd');
    await putAndFlush(task, [
      f.record(null, { id: 2, name: 'TWO', score: 22 }, { valueSchema: userValue }),
      f.record(null, { id: 9, name: 'nine', score: 9 }, { valueSchema: userValue }),
    ]);
    expect(await q('SELECT id, name, score FROM upd ORDER BY id')).toEqual([
      { id: 1, name: 'one', score: 1 },
      { id: 2, name: 'TWO', score: 22 },
    ]);
  });

  it('keys rows by topic, partition and offset with pk.mode=kafka (idempotent redelivery)', async () => {
    const { task } = await sink({ 'auto.create': 'true', 'insert.mode': 'upsert', 'pk.mode': 'kafka' });
    const batch = [0, 1, 2].map((i) =>
      new RecordFactory('kafka_keyed').record(null, { v: i }, { offset: 10 + i, partition: 1 }),
    );
    await putAndFlush(task, batch);
    await putAndFlush(task, batch);
    expect(
      await q('SELECT __connect_topic, __connect_partition, __connect_offset, v FROM kafka_keyed ORDER BY 3'),
    ).toEqual([
      { __connect_topic: 'kafka_keyed', __connect_partition: 1, __connect_offset: '10', v: '0' },
      { __connect_topic: 'kafka_keyed', __connect_partition: 1, __connect_offset: '11', v: '1' },
      { __connect_topic: 'kafka_keyed', __connect_partition: 1, __connect_offset: '12', v: '2' },
    ]);
  });

  it('deletes on tombstones, interleaved with writes of the same keys in one batch', async () => {
    const { task, context } = await sink({
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
    });
    const f = new RecordFactory('tomb');
    const w = (id: number, name: string) =>
      f.record({ id }, { id, name, score: 1 }, { keySchema: userKey, valueSchema: userValue });
    const del = (id: number) => f.record({ id }, null, { keySchema: userKey });
    await putAndFlush(task, [w(1, 'a'), w(2, 'b'), w(3, 'c'), w(4, 'd')]);
    await putAndFlush(task, [del(1), w(1, 'a2'), w(2, 'b2'), del(2), del(3), w(5, 'e'), del(99)]);
    expect(await q('SELECT id, name FROM tomb ORDER BY id')).toEqual([
      { id: 1, name: 'a2' },
      { id: 4, name: 'd' },
      { id: 5, name: 'e' },
    ]);
    expect(context.reported).toEqual([]);
  });

  it('applies Debezium envelopes into ${source.schema}.${source.table}: c, r, u, d and t', async () => {
    const env = envelopeSchema(userValue, 'shop.inventory.items');
    const { task } = await sink({
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'truncate.enabled': 'true',
      'table.name.format': '${source.schema}.${source.table}',
    });
    const f = new RecordFactory('shop.inventory.items');
    const source = sourceBlock('inventory', 'items');
    const ev = (op: string, id: number, before: unknown, after: unknown) =>
      f.record({ id }, { before, after, source, op, ts_ms: 1 }, { keySchema: userKey, valueSchema: env });
    const row = (id: number, name: string) => ({ id, name, score: null });
    await putAndFlush(task, [
      ev('r', 1, null, row(1, 'snap')),
      ev('c', 2, null, row(2, 'new')),
      ev('u', 1, row(1, 'snap'), row(1, 'changed')),
      ev('c', 3, null, row(3, 'gone')),
      ev('d', 3, row(3, 'gone'), null),
      f.record({ id: 3 }, null, { keySchema: userKey }), // Debezium's tombstone: no source, skipped
    ]);
    expect(await q('SELECT id, name FROM inventory.items ORDER BY id')).toEqual([
      { id: 1, name: 'changed' },
      { id: 2, name: 'new' },
    ]);
    await putAndFlush(task, [ev('t', 0, null, null), ev('c', 7, null, row(7, 'after truncate'))]);
    expect(await q('SELECT id, name FROM inventory.items ORDER BY id')).toEqual([
      { id: 7, name: 'after truncate' },
    ]);
    expect(task.skippedRecords.get('tombstone')).toBe(1);
  });

  it('takes a truncate of a table it never created as nothing to do', async () => {
    const env = envelopeSchema(userValue, 'shop.inventory.never');
    const { task, context } = await sink({
      'auto.create': 'true',
      'pk.mode': 'record_key',
      'truncate.enabled': 'true',
      'table.name.format': 'never_${source.table}',
    });
    const f = new RecordFactory('shop.inventory.never');
    const source = sourceBlock('inventory', 'never');
    const ev = (op: string, id: number, after: unknown) =>
      f.record(
        { id },
        { before: null, after, source, op, ts_ms: 1 },
        { keySchema: userKey, valueSchema: env },
      );
    await putAndFlush(task, [ev('t', 0, null)]);
    expect(context.reported).toEqual([]);
    await putAndFlush(task, [
      ev('c', 1, { id: 1, name: 'a', score: null }),
      ev('t', 0, null),
      ev('c', 2, { id: 2, name: 'b', score: null }),
    ]);
    expect(await q('SELECT id FROM never_never')).toEqual([{ id: 2 }]);
  });

  it('creates tables in a schema that exists with a role that may not create schemas', async () => {
    await q(`CREATE ROLE lander LOGIN PASSWORD 'lander-pw'`);
    await q('CREATE SCHEMA landing');
    await q('GRANT USAGE, CREATE ON SCHEMA landing TO lander');
    const { task } = await sink({
      'connection.url': server.url(DB, 'lander', 'lander-pw'),
      'auto.create': 'true',
      'table.name.format': 'landing.${topic}',
    });
    const f = new RecordFactory('arrivals');
    await putAndFlush(task, [f.record(null, { id: 1, name: 'n1', score: 1 }, { valueSchema: userValue })]);
    expect(await q('SELECT id, name FROM landing.arrivals')).toEqual([{ id: 1, name: 'n1' }]);
  });

  it('deletes by the before row with pk.mode=record_value, and skips deletes when delete.enabled=false', async () => {
    await q('CREATE TABLE byvalue (id int PRIMARY KEY, name text, score float8)');
    const env = envelopeSchema(userValue, 's.public.byvalue');
    const f = new RecordFactory('byvalue');
    const ev = (op: string, before: unknown, after: unknown) =>
      f.record(
        null,
        { before, after, source: sourceBlock('public', 'byvalue'), op, ts_ms: 1 },
        { valueSchema: env },
      );
    const deleting = await sink({
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'delete.enabled': 'true',
    });
    await putAndFlush(deleting.task, [
      ev('c', null, { id: 1, name: 'a', score: 1 }),
      ev('c', null, { id: 2, name: 'b', score: 2 }),
      ev('d', { id: 1, name: null, score: null }, null),
    ]);
    expect(await q('SELECT id FROM byvalue ORDER BY id')).toEqual([{ id: 2 }]);
    const keeping = await sink({ 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    await putAndFlush(keeping.task, [ev('d', { id: 2, name: null, score: null }, null)]);
    expect(await q('SELECT id FROM byvalue ORDER BY id')).toEqual([{ id: 2 }]);
    expect(keeping.task.skippedRecords.get('delete disabled')).toBe(1);
  });

  it('adds columns for new fields with auto.evolve, and reports records that do not fit without it', async () => {
    const v1 = SchemaBuilder.struct().field('id', Schemas.INT64).field('a', Schemas.STRING).build();
    const v2 = SchemaBuilder.struct()
      .field('id', Schemas.INT64)
      .field('a', Schemas.STRING)
      .field('b', Schemas.OPTIONAL_INT16)
      .field('tags', SchemaBuilder.array(Schemas.STRING).optional().build())
      .build();
    const f = new RecordFactory('evolving');
    const base = {
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
    };
    const strict = await sink(base);
    await putAndFlush(strict.task, [f.record(null, { id: 1, a: 'x' }, { valueSchema: v1 })]);
    const late = f.record(null, { id: 2, a: 'y', b: 5, tags: ['t'] }, { valueSchema: v2 });
    await putAndFlush(strict.task, [f.record(null, { id: 3, a: 'z' }, { valueSchema: v1 }), late]);
    expect(strict.context.reported.map((r) => r.record)).toEqual([late]);
    expect(strict.context.reported[0]!.error.message).toMatch(/has no column b, tags: .*auto.evolve=true/);

    const evolving = await sink({ ...base, 'auto.evolve': 'true' });
    // the schema changes mid-batch: the old shape, the new one, then the old one again
    await putAndFlush(evolving.task, [
      f.record(null, { id: 4, a: 'p' }, { valueSchema: v1 }),
      late,
      f.record(null, { id: 5, a: 'q' }, { valueSchema: v1 }),
      f.record(null, { id: 2, a: 'y2', b: 6, tags: ['u', 'v'] }, { valueSchema: v2 }),
    ]);
    expect(await q('SELECT id, a, b, tags FROM evolving ORDER BY id')).toEqual([
      { id: '1', a: 'x', b: null, tags: null },
      { id: '2', a: 'y2', b: 6, tags: ['u', 'v'] },
      { id: '3', a: 'z', b: null, tags: null },
      { id: '4', a: 'p', b: null, tags: null },
      { id: '5', a: 'q', b: null, tags: null },
    ]);
    const types = await q<{ column_name: string; udt_name: string }>(
      `SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = 'evolving' ORDER BY ordinal_position`,
    );
    expect(types.map((t) => t.udt_name)).toEqual(['int8', 'text', 'int2', '_text']);
  });

  it('round-trips every mapped type', async () => {
    const value = SchemaBuilder.struct()
      .field('id', Schemas.INT8)
      .field('i16', Schemas.OPTIONAL_INT16)
      .field('i64', Schemas.OPTIONAL_INT64)
      .field('f32', Schemas.OPTIONAL_FLOAT32)
      .field('f64', Schemas.OPTIONAL_FLOAT64)
      .field('flag', Schemas.OPTIONAL_BOOLEAN)
      .field('text', Schemas.OPTIONAL_STRING)
      .field('raw', Schemas.OPTIONAL_BYTES)
      .field('price', Schemas.decimal(3, true))
      .field('day', Schemas.date(true))
      .field('at', Schemas.time(true))
      .field('ts', Schemas.timestamp(true))
      .field('nums', SchemaBuilder.array(Schemas.OPTIONAL_INT32).optional().build())
      .field('doc', SchemaBuilder.struct().field('k', Schemas.STRING).optional().build())
      .field('attrs', SchemaBuilder.map(Schemas.STRING, Schemas.INT64).optional().build())
      .field('uuid', SchemaBuilder.type('string').name('io.debezium.data.Uuid').optional().build())
      .field('json', SchemaBuilder.type('string').name('io.debezium.data.Json').optional().build())
      .field('micros', SchemaBuilder.type('int64').name('io.debezium.time.MicroTimestamp').optional().build())
      .field('zoned', SchemaBuilder.type('string').name('io.debezium.time.ZonedTimestamp').optional().build())
      .build();
    const { task } = await sink({
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
    });
    const f = new RecordFactory('types');
    await putAndFlush(task, [
      f.record(
        null,
        {
          id: 1,
          i16: -32768,
          i64: 9007199254740993n,
          f32: 1.5,
          f64: NaN,
          flag: true,
          text: 'tab\there\nnewline \\ backslash "quote" ☕ \\N',
          raw: Buffer.from([0, 1, 254, 255]),
          price: '-12345678901234567890.125',
          day: new Date(Date.UTC(2024, 1, 29)),
          at: new Date(Date.UTC(1970, 0, 1, 23, 59, 58, 125)),
          ts: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 1)),
          nums: [1, null, -3],
          doc: { k: 'v' },
          attrs: { a: 1n },
          uuid: '0e8f9b3c-4a7b-4c1e-9b3c-4a7b4c1e9b3c',
          json: '{"nested": [1, {"x": null}]}',
          micros: 1_709_208_000_000_001n,
          zoned: '2024-02-29T12:00:00.5+02:00',
        },
        { valueSchema: value },
      ),
      f.record(null, Object.fromEntries(value.fields!.map((fl) => [fl.name, fl.name === 'id' ? 2 : null])), {
        valueSchema: value,
      }),
    ]);
    const [row] = await q(
      `SELECT i16, i64::text, f32, f64::text, flag, text, encode(raw, 'hex') AS raw, price::text, day::text, at::text,
              ts::text, nums, doc, attrs, uuid::text, json, micros::text, zoned::text,
              pg_typeof(uuid)::text AS uuid_type, pg_typeof(json)::text AS json_type, pg_typeof(micros)::text AS micros_type
       FROM types WHERE id = 1`,
    );
    expect(row).toEqual({
      i16: -32768,
      i64: '9007199254740993',
      f32: 1.5,
      f64: 'NaN',
      flag: true,
      text: 'tab\there\nnewline \\ backslash "quote" ☕ \\N',
      raw: '0001feff',
      price: '-12345678901234567890.125',
      day: '2024-02-29',
      at: '23:59:58.125',
      ts: '2024-02-29 12:00:00.001+00',
      nums: [1, null, -3],
      doc: { k: 'v' },
      attrs: { a: 1 },
      uuid: '0e8f9b3c-4a7b-4c1e-9b3c-4a7b4c1e9b3c',
      json: { nested: [1, { x: null }] },
      micros: '2024-02-29 12:00:00.000001',
      zoned: '2024-02-29 10:00:00.5+00',
      uuid_type: 'uuid',
      json_type: 'jsonb',
      micros_type: 'timestamp without time zone',
    });
    const [nulls] = await q(
      `SELECT num_nulls(i16, i64, f32, f64, flag, text, raw, price, day, at, ts, nums, doc, attrs, uuid, json, micros, zoned) AS n FROM types WHERE id = 2`,
    );
    expect(nulls).toEqual({ n: 18 });
  });

  it('quotes table and column names with quotes, spaces, dots and unicode', async () => {
    const value = SchemaBuilder.struct()
      .field('Id', Schemas.INT32)
      .field('quo"te', Schemas.STRING)
      .field('with space', Schemas.STRING)
      .field('ünï☕', Schemas.STRING)
      .field('a.b', Schemas.STRING)
      .build();
    const { task } = await sink({
      'auto.create': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'Id',
      'table.name.format': 'We"ird ${topic}',
    });
    const topic = 'tä.ble; DROP TABLE x';
    const f = new RecordFactory(topic);
    const row = { Id: 1, 'quo"te': "'; DROP TABLE x; --", 'with space': 's', 'ünï☕': 'u', 'a.b': 'dot' };
    await putAndFlush(task, [
      f.record(null, row, { valueSchema: value }),
      f.record(null, { ...row, 'with space': 's2' }, { valueSchema: value }),
    ]);
    expect(await q(`SELECT * FROM "We""ird tä.ble; DROP TABLE x"`)).toEqual([{ ...row, 'with space': 's2' }]);
  });

  it('writes schemaless JSON objects, creating columns from the values', async () => {
    const { task } = await sink({
      'auto.create': 'true',
      'auto.evolve': 'true',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'pk.fields': 'key',
    });
    const f = new RecordFactory('schemaless');
    await putAndFlush(task, [
      f.record('k1', { n: 1, x: 1.5, s: 'a', b: true, o: { deep: [1] } }),
      f.record('k2', { n: 2, x: 2, s: null, b: false, o: null, extra: 'late' }),
    ]);
    expect(await q('SELECT key, n, x, s, b, o, extra FROM schemaless ORDER BY key')).toEqual([
      { key: 'k1', n: '1', x: 1.5, s: 'a', b: true, o: { deep: [1] }, extra: null },
      { key: 'k2', n: '2', x: 2, s: null, b: false, o: null, extra: 'late' },
    ]);
  });

  it('reports a record with a NUL in a field name it would add, and writes the others', async () => {
    const { task, context } = await sink({ 'auto.create': 'true', 'auto.evolve': 'true' });
    const f = new RecordFactory('nul_fields');
    await putAndFlush(task, [
      f.record(null, { n: 1 }),
      f.record(null, { n: 2, 'a\u0000': 3 }),
      f.record(null, { n: 4 }),
    ]);
    expect(await q('SELECT n FROM nul_fields ORDER BY n')).toEqual([{ n: '1' }, { n: '4' }]);
    expect(context.reported.map((r) => r.record.kafkaOffset)).toEqual([1]);
    expect(context.reported[0]!.error.message).toMatch(/cannot contain a NUL character: "a\\u0000"/);
  });

  it('reports the records Postgres refuses and writes the rest of the batch', async () => {
    await q(
      'CREATE TABLE strict_rows (id int PRIMARY KEY, code varchar(3) NOT NULL, qty int CHECK (qty >= 0))',
    );
    const value = SchemaBuilder.struct()
      .field('id', Schemas.INT32)
      .field('code', Schemas.OPTIONAL_STRING)
      .field('qty', Schemas.INT32)
      .build();
    const { task, context } = await sink({
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
    });
    const f = new RecordFactory('strict_rows');
    const batch = [
      f.record(null, { id: 1, code: 'ok', qty: 1 }, { valueSchema: value }),
      f.record(null, { id: 2, code: 'too long', qty: 1 }, { valueSchema: value }),
      f.record(null, { id: 3, code: null, qty: 1 }, { valueSchema: value }),
      f.record(null, { id: 4, code: 'ok', qty: -1 }, { valueSchema: value }),
      f.record(null, { id: 5, code: 'ok', qty: 5 }, { valueSchema: value }),
      f.record(null, { id: null, code: 'ok', qty: 5 }, { valueSchema: value }),
    ];
    await putAndFlush(task, batch);
    expect(await q('SELECT id FROM strict_rows ORDER BY id')).toEqual([{ id: 1 }, { id: 5 }]);
    expect(context.reported.map((r) => r.record.kafkaOffset).sort()).toEqual([1, 2, 3, 5]);
    const messages = context.reported.map((r) => r.error.message).join('\n');
    expect(messages).toMatch(/strict_rows-0@1: value too long/);
    expect(messages).toMatch(/strict_rows-0@2: null value in column "code"/);
    expect(messages).toMatch(/check constraint/);
    expect(messages).toMatch(/primary key column id is null/);
  });

  it('reports the records a deferred constraint refuses and writes the rest of the batch', async () => {
    await q('CREATE TABLE parents (id int PRIMARY KEY)');
    await q('INSERT INTO parents VALUES (1)');
    await q(
      'CREATE TABLE children (id int PRIMARY KEY, parent int REFERENCES parents DEFERRABLE INITIALLY DEFERRED)',
    );
    const value = SchemaBuilder.struct().field('id', Schemas.INT32).field('parent', Schemas.INT32).build();
    const { task, context } = await sink({
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
    });
    const f = new RecordFactory('children');
    await putAndFlush(task, [
      f.record(null, { id: 1, parent: 1 }, { valueSchema: value }),
      f.record(null, { id: 2, parent: 99 }, { valueSchema: value }),
      f.record(null, { id: 3, parent: 1 }, { valueSchema: value }),
    ]);
    expect(await q('SELECT id FROM children ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
    expect(context.reported.map((r) => r.record.kafkaOffset)).toEqual([1]);
    expect(context.reported[0]!.error.message).toMatch(/foreign key/);
  });

  it('fails the batch whole when errors are not tolerated', async () => {
    await q('CREATE TABLE intolerant (id int PRIMARY KEY, qty int CHECK (qty >= 0))');
    const { task, context } = await sink({
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'id',
    });
    context.tolerateErrors = false;
    const f = new RecordFactory('intolerant');
    await expect(
      putAndFlush(task, [f.record(null, { id: 1, qty: 1 }), f.record(null, { id: 2, qty: -1 })]),
    ).rejects.toThrow(/cannot write record intolerant-0@1: .*check constraint/);
    expect(await q('SELECT count(*)::int AS n FROM intolerant')).toEqual([{ n: 0 }]);
  });

  it('refuses to upsert into a table without a unique key on the key columns, saying what to do', async () => {
    await q('CREATE TABLE nokey (id int, v text)');
    const { task } = await sink({ 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    await expect(
      putAndFlush(task, [new RecordFactory('nokey').record(null, { id: 1, v: 'a' })]),
    ).rejects.toThrow(/needs a primary key or unique index on \(id\) of table public.nokey/);
  });

  it('upserts into a table whose key has INCLUDE columns: they are not part of the key', async () => {
    await q('CREATE TABLE covered (id int, v text, PRIMARY KEY (id) INCLUDE (v))');
    const { task } = await sink({ 'insert.mode': 'upsert', 'pk.mode': 'record_value', 'pk.fields': 'id' });
    const f = new RecordFactory('covered');
    await putAndFlush(task, [f.record(null, { id: 1, v: 'a' }), f.record(null, { id: 2, v: 'b' })]);
    await putAndFlush(task, [f.record(null, { id: 1, v: 'c' })]);
    expect(await q('SELECT id, v FROM covered ORDER BY id')).toEqual([
      { id: 1, v: 'c' },
      { id: 2, v: 'b' },
    ]);
  });

  it('connects as libpq does for sslmode prefer and allow to a server without TLS, and fails require', async () => {
    for (const mode of ['prefer', 'allow']) {
      const { task } = await sink({
        'connection.url': `${server.url(DB)}?sslmode=${mode}`,
        'auto.create': 'true',
      });
      await putAndFlush(task, [new RecordFactory(`tls_${mode}`).record(null, { id: 1 })]);
      expect(await q(`SELECT id::int AS id FROM tls_${mode}`)).toEqual([{ id: 1 }]);
    }
    await expect(sink({ 'connection.url': `${server.url(DB)}?sslmode=require` })).rejects.toThrow(
      /does not support SSL/,
    );
  });

  it('reports records for a missing table when auto.create is off', async () => {
    const { task, context } = await sink({});
    await putAndFlush(task, [new RecordFactory('missing_table').record(null, { id: 1 })]);
    expect(context.reported[0]!.error.message).toMatch(
      /table public.missing_table does not exist: create it, or set auto.create=true/,
    );
  });

  it('splits deliveries larger than batch.size into transactions', async () => {
    const { task } = await sink({
      'auto.create': 'true',
      'batch.size': '7',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'pk.fields': 'k',
    });
    const f = new RecordFactory('batched');
    await putAndFlush(
      task,
      Array.from({ length: 50 }, (_, i) => f.record(i % 20, { v: i })),
    );
    const rows = await q<{ k: string; v: string }>('SELECT k, v FROM batched ORDER BY k');
    expect(rows.map((r) => Number(r.v))).toEqual(
      Array.from({ length: 20 }, (_, k) => (k < 10 ? 40 + k : 20 + k)),
    );
    expect(task.recordsWritten).toBe(50);
  });
});
