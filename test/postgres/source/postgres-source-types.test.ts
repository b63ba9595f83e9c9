import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresServer } from '../../support/postgres-server.js';
import { envelope, OffsetStore, SourceTaskDriver, sourceConfig } from './source-test-kit.js';

let server: PostgresServer;
let dbCount = 0;
const drivers: SourceTaskDriver[] = [];

beforeAll(async () => {
  server = await PostgresServer.start();
}, 60_000);
afterAll(async () => {
  for (const d of drivers) await d.stop().catch(() => undefined);
  await server?.stop();
});

const COLUMNS = `
  id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, f4 real, f8 double precision,
  n numeric(12,3), nu numeric, m money, b boolean, t text, vc varchar(10), ch char(3), by bytea,
  j json, jb jsonb, u uuid, d date, tm time, tm3 time(3), ttz timetz, ts timestamp, ts3 timestamp(3),
  tstz timestamptz, iv interval, ip inet, net cidr, mac macaddr, ia int[], ia2 int[][], ta text[],
  mood mood, pos positive, bx box`;

/** Each row once with edge values; the all-NULL row checks every column is optional. */
const ROWS = `
  (1, -32768, 2147483647, 9223372036854775807, 'NaN', '-Infinity', '-123456789.125',
   '123456789012345678901234567890.0123456789', '-1234.56', true, 'über 日本 🎉', 'ab', 'x',
   '\\x00ff10', '{"a": [1, {"b": null}]}', '{"z": 1, "a": "é"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
   '0001-01-01 BC', '24:00:00', '13:14:15.678', '10:00:00+02', '2024-02-29 23:59:59.999999',
   '1970-01-01 00:00:00.5', '2024-01-01 00:00:00-05', 'P1Y2M3DT4H5M6.789S', '192.168.0.1/24',
   '10.0.0.0/8', '08:00:2b:01:02:03', '{}', '{{1,2},{3,NULL}}', '{"a,b","c\\"d",NULL,""}',
   'sad', 7, '((0,0),(1,1))'),
  (2, NULL, NULL, NULL, 'Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, 'infinity', NULL, NULL, NULL, '-infinity', NULL, 'infinity', NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL)`;

async function typedDatabase(): Promise<string> {
  const db = await server.createDatabase(`types_${++dbCount}`);
  await server.query(
    `CREATE TYPE mood AS ENUM ('happy', 'sad'); CREATE DOMAIN positive AS int CHECK (VALUE > 0);
     CREATE TABLE typed (${COLUMNS}); INSERT INTO typed VALUES ${ROWS};
     CREATE TABLE typed_stream (${COLUMNS});`,
    [],
    db,
  );
  return db;
}

/** The row images of a snapshot read and of a streamed insert of the same values, by id. */
async function snapshotAndStream(overrides: Record<string, string>): Promise<{
  snap: Map<number, Record<string, unknown>>;
  stream: Map<number, Record<string, unknown>>;
  driver: SourceTaskDriver;
}> {
  const db = await typedDatabase();
  const driver = new SourceTaskDriver(sourceConfig(server, db, overrides), new OffsetStore());
  drivers.push(driver);
  await driver.start();
  await driver.pollUntil((log) => log.length >= 2);
  await server.query(`INSERT INTO typed_stream VALUES ${ROWS}`, [], db);
  await driver.pollUntil((log) => log.length >= 4);
  const byId = (topic: string): Map<number, Record<string, unknown>> =>
    new Map(
      driver.log
        .filter((r) => r.topic === topic)
        .map((r) => {
          const after = envelope(r)!.after!;
          return [after['id'] as number, after];
        }),
    );
  return { snap: byId('pg.public.typed'), stream: byId('pg.public.typed_stream'), driver };
}

describe('postgres-source type round trip', () => {
  it('maps every type as Debezium does (adaptive, precise, bytes), the same in snapshot and stream', async () => {
    const { snap, stream, driver } = await snapshotAndStream({});
    expect(stream).toEqual(snap);
    const row = snap.get(1)!;
    expect(row).toMatchObject({
      i2: -32768,
      i4: 2147483647,
      i8: 9223372036854775807n,
      f8: -Infinity,
      n: '-123456789.125',
      m: '-1234.56',
      b: true,
      t: 'über 日本 🎉',
      vc: 'ab',
      ch: 'x  ',
      j: '{"a": [1, {"b": null}]}',
      jb: '{"a": "é", "z": 1}',
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      // 1 BC is year 0 of the proleptic calendar java.time uses
      d: -719528,
      tm: 86_400_000_000,
      tm3: 47_655_678,
      ttz: '08:00:00Z',
      ts: 1_709_251_199_999_999,
      ts3: 500,
      tstz: '2024-01-01T05:00:00Z',
      // MicroDuration: a month is 30.4375 days
      iv: 14 * 2_629_800_000_000 + 3 * 86_400_000_000 + 4 * 3_600_000_000 + 5 * 60_000_000 + 6_789_000,
      ip: '192.168.0.1/24',
      net: '10.0.0.0/8',
      mac: '08:00:2b:01:02:03',
      ia: [],
      ia2: [
        [1, 2],
        [3, null],
      ],
      ta: ['a,b', 'c"d', null, ''],
      mood: 'sad',
      pos: 7,
      bx: '(1,1),(0,0)',
    });
    expect(Number.isNaN(row['f4'])).toBe(true);
    expect(row['by']).toEqual(Buffer.from([0x00, 0xff, 0x10]));
    const nu = row['nu'] as { scale: number; value: Buffer };
    expect(nu.scale).toBe(10);
    expect(BigInt(`0x${nu.value.toString('hex')}`)).toBe(1234567890123456789012345678900123456789n);
    const nulls = snap.get(2)!;
    expect(nulls['f4']).toBe(Infinity);
    expect(nulls['d']).toBe(2147483647);
    expect(nulls['ts']).toBe(-9223372036832400000n);
    expect(nulls['i8']).toBeNull();
    expect(nulls['ia2']).toBeNull();

    const fields = driver.log[0]!.valueSchema!.fields!.find((f) => f.name === 'after')!.schema.fields!;
    const schemaOf = (name: string) => fields.find((f) => f.name === name)!.schema;
    expect(schemaOf('n')).toMatchObject({
      type: 'bytes',
      name: 'org.apache.kafka.connect.data.Decimal',
      parameters: { scale: '3', 'connect.decimal.precision': '12' },
    });
    expect(schemaOf('nu').name).toBe('io.debezium.data.VariableScaleDecimal');
    expect(schemaOf('mood')).toMatchObject({
      name: 'io.debezium.data.Enum',
      parameters: { allowed: 'happy,sad' },
    });
    expect(schemaOf('ts').name).toBe('io.debezium.time.MicroTimestamp');
    expect(schemaOf('ts3').name).toBe('io.debezium.time.Timestamp');
    expect(schemaOf('tm3').name).toBe('io.debezium.time.Time');
    expect(schemaOf('tstz').name).toBe('io.debezium.time.ZonedTimestamp');
    expect(schemaOf('iv').name).toBe('io.debezium.time.MicroDuration');
    expect(schemaOf('jb').name).toBe('io.debezium.data.Json');
    expect(schemaOf('ia2')).toMatchObject({ type: 'array', valueSchema: { type: 'array' } });
    expect(driver.logger.warnings.some((w) => /public\.typed\.bx travels as its text form/.test(w))).toBe(
      true,
    );
  });

  it('follows decimal.handling.mode=string, binary.handling.mode=hex and time.precision.mode=connect', async () => {
    const { snap, stream } = await snapshotAndStream({
      'decimal.handling.mode': 'string',
      'binary.handling.mode': 'hex',
      'time.precision.mode': 'connect',
      'interval.handling.mode': 'string',
    });
    expect(stream).toEqual(snap);
    expect(snap.get(1)).toMatchObject({
      n: '-123456789.125',
      nu: '123456789012345678901234567890.0123456789',
      m: '-1234.56',
      by: '00ff10',
      tm3: 47_655_678,
      ts: 1_709_251_199_999,
      iv: 'P1Y2M3DT4H5M6.789S',
    });
  });

  it('writes the JSON text of rows of scalar columns as the JSON converter would, in snapshot and stream', async () => {
    // [column, a value with edges, another]: the kit checks every durable record's valueJson
    // against the payload the converter writes for its value
    const scalars: [string, string, string][] = [
      ['id int PRIMARY KEY', '1', '2'],
      ['i2 smallint', '-32768', 'NULL'],
      ['i8 bigint', '9223372036854775807', '-9007199254740993'],
      ['f4 real', "'NaN'", '1.5e-7'],
      ['f8 double precision', "'-Infinity'", '1e300'],
      ['b boolean', 'true', 'false'],
      ['t text', `E'\u00fcber "q" \\\\ \\t \u65e5 \\u0001'`, "''"],
      ['ch char(3)', "'x'", 'NULL'],
      ['jb jsonb', `'{"z": 1, "a": "\u00e9"}'`, 'NULL'],
      ['u uuid', "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", 'NULL'],
      ['d date', "'0001-01-01 BC'", "'infinity'"],
      ['tm3 time(3)', "'13:14:15.678'", 'NULL'],
      ['ttz timetz', "'10:00:00+02'", 'NULL'],
      ['ts timestamp', "'2024-02-29 23:59:59.999999'", "'-infinity'"],
      ['tstz timestamptz', "'infinity'", 'NULL'],
      ['iv interval', "'P1Y2M3DT4H5M6.789S'", 'NULL'],
      ['ip inet', "'192.168.0.1/24'", 'NULL'],
      ['mood mood', "'sad'", 'NULL'],
      ['pos positive', '7', 'NULL'],
      ['bx box', "'((0,0),(1,1))'", 'NULL'],
    ];
    const modes: [Record<string, string>, [string, string, string][]][] = [
      [{}, scalars],
      // numerics as strings are scalars too
      [
        {
          'decimal.handling.mode': 'string',
          'time.precision.mode': 'connect',
          'interval.handling.mode': 'string',
        },
        [...scalars, ['n numeric(12,3)', "'-123456789.125'", "'NaN'"]],
      ],
    ];
    for (const [overrides, table] of modes) {
      const db = await server.createDatabase(`types_${++dbCount}`);
      const values = [1, 2].map((r) => `(${table.map((c) => c[r]).join(', ')})`).join(', ');
      await server.query(
        `CREATE TYPE mood AS ENUM ('happy', 'sad'); CREATE DOMAIN positive AS int CHECK (VALUE > 0);
         CREATE TABLE scalars (${table.map((c) => c[0]).join(', ')}); INSERT INTO scalars VALUES ${values};
         CREATE TABLE scalars_stream (LIKE scalars INCLUDING ALL);`,
        [],
        db,
      );
      const driver = new SourceTaskDriver(sourceConfig(server, db, overrides), new OffsetStore());
      drivers.push(driver);
      await driver.start();
      await driver.pollUntil((log) => log.length >= 2);
      await server.query(`INSERT INTO scalars_stream VALUES ${values}`, [], db);
      await server.query("UPDATE scalars_stream SET t = t || '!' WHERE id = 1", [], db);
      await server.query('DELETE FROM scalars_stream WHERE id = 2', [], db);
      await driver.pollUntil((log) => log.filter((r) => r.value !== null).length >= 6);
      const events = driver.log.filter((r) => r.value !== null);
      expect(events.map((r) => envelope(r)!.op)).toEqual(['r', 'r', 'c', 'c', 'u', 'd']);
      expect(events.every((r) => r.valueJson !== undefined)).toBe(true);
    }
  });

  it('sends NaN of a precise numeric as null with a warning, never failing', async () => {
    const db = await server.createDatabase(`types_${++dbCount}`);
    await server.query('CREATE TABLE nums (id int PRIMARY KEY, v numeric)', [], db);
    const driver = new SourceTaskDriver(
      sourceConfig(server, db, { 'snapshot.mode': 'no_data' }),
      new OffsetStore(),
    );
    drivers.push(driver);
    await driver.start();
    await driver.pollDurable();
    await server.query("INSERT INTO nums VALUES (1, 'NaN'), (2, 'Infinity'), (3, 1.5)", [], db);
    await driver.pollUntil((log) => log.length >= 3);
    expect(driver.log.map((r) => envelope(r)!.after!['v'])).toEqual([
      null,
      null,
      { scale: 1, value: Buffer.from([15]) },
    ]);
    expect(driver.logger.warnings.some((w) => /numeric NaN cannot be represented/.test(w))).toBe(true);
  });
});
