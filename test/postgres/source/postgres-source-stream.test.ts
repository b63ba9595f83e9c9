import { describe, expect, it } from '@jest/globals';
import type { SourceRecord } from '@sluice/connect-api';
import type { SourceTaskDriver } from './source-test-kit.js';
import { envelope, eventsOf, OffsetStore, sourceConfig } from './source-test-kit.js';
import { SilencingProxy } from '../../support/silencing-proxy.js';
import { SourceTestBed } from './source-test-bed.js';

const bed = new SourceTestBed('stream');

const database = (setup: string): Promise<string> => bed.database(setup);
async function startDriver(
  db: string,
  overrides: Record<string, string> = {},
  offsets = new OffsetStore(),
  log: SourceRecord[] = [],
): Promise<SourceTaskDriver> {
  return bed.start(sourceConfig(bed.server, db, overrides), offsets, log);
}

const sql = (db: string, text: string): Promise<unknown> => bed.sql(db, text);

describe('postgres-source snapshot then stream', () => {
  it('snapshots existing rows as op=r, then streams inserts, updates and deletes as Debezium events', async () => {
    const db = await database(
      `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL, qty int);
       INSERT INTO public.items SELECT g, 'item ' || g, g * 10 FROM generate_series(1, 5) g;`,
    );
    const driver = await startDriver(db, { 'snapshot.fetch.size': '2' });
    await driver.pollUntil((log) => log.length >= 5);
    await sql(db, "INSERT INTO items VALUES (6, 'six', 60)");
    await sql(db, "UPDATE items SET name = 'one!' WHERE id = 1");
    await sql(db, 'DELETE FROM items WHERE id = 2');
    await driver.pollUntil((log) => log.length >= 9);

    const events = eventsOf(driver.log, 'pg.public.items');
    expect(events.map((e) => e.op)).toEqual(['r', 'r', 'r', 'r', 'r', 'c', 'u', 'd']);
    expect(events.slice(0, 5).map((e) => e.source['snapshot'])).toEqual([
      'true',
      'true',
      'true',
      'true',
      'last',
    ]);
    const insert = events[5]!;
    expect(insert.before).toBeNull();
    expect(insert.after).toEqual({ id: 6, name: 'six', qty: 60 });
    expect(insert.source).toMatchObject({
      connector: 'postgresql',
      name: 'pg',
      db,
      schema: 'public',
      table: 'items',
      snapshot: 'false',
    });
    expect(typeof insert.source['txId']).toBe('number');
    expect(typeof insert.source['lsn']).toBe('number');
    expect(JSON.parse(insert.source['sequence'] as string)).toHaveLength(2);
    // REPLICA IDENTITY DEFAULT: no old row on updates, the key only on deletes
    expect(events[6]!.before).toBeNull();
    expect(events[6]!.after).toEqual({ id: 1, name: 'one!', qty: 10 });
    expect(events[7]!.before).toEqual({ id: 2, name: '', qty: null });
    expect(events[7]!.after).toBeNull();

    const deleteRecord = driver.log.findIndex((r) => envelope(r)?.op === 'd');
    const tombstone = driver.log[deleteRecord + 1]!;
    expect(tombstone.value).toBeNull();
    expect(tombstone.key).toEqual({ id: 2 });
    const first = driver.log[0]!;
    expect(first.topic).toBe('pg.public.items');
    expect(first.key).toEqual({ id: 1 });
    expect(first.keySchema?.name).toBe('pg.public.items.Key');
    expect(first.valueSchema?.name).toBe('pg.public.items.Envelope');
    expect(first.valueSchema?.fields?.map((f) => f.name)).toEqual([
      'before',
      'after',
      'source',
      'op',
      'ts_ms',
      'transaction',
    ]);
    const progress = driver.reporter.progressLog;
    expect(progress[0]).toEqual({ phase: 'snapshot', items: [{ name: 'public.items', done: 2, total: 5 }] });
    expect(progress[progress.length - 1]).toBeNull();
  });

  it('sends a primary key change as a delete, a tombstone and a create; REPLICA IDENTITY FULL gives old rows', async () => {
    const db = await database(
      `CREATE TABLE t (id int PRIMARY KEY, v text); ALTER TABLE t REPLICA IDENTITY FULL; INSERT INTO t VALUES (1, 'a');`,
    );
    const driver = await startDriver(db, { 'snapshot.mode': 'no_data' });
    await driver.pollDurable();
    await sql(db, "UPDATE t SET v = 'b' WHERE id = 1");
    await sql(db, 'UPDATE t SET id = 2 WHERE id = 1');
    await driver.pollUntil((log) => log.length >= 4);
    const ops = driver.log.map((r) => envelope(r)?.op ?? 'tombstone');
    expect(ops).toEqual(['u', 'd', 'tombstone', 'c']);
    expect(envelope(driver.log[0]!)!.before).toEqual({ id: 1, v: 'a' });
    expect(envelope(driver.log[1]!)!.before).toEqual({ id: 1, v: 'b' });
    expect(driver.log[1]!.key).toEqual({ id: 1 });
    expect(driver.log[3]!.key).toEqual({ id: 2 });
  });

  it('captures a table without a primary key with a null key and a warning, or with message.key.columns', async () => {
    const db = await database(`CREATE TABLE nokey (a int, b text); CREATE TABLE chosen (a int, b text);`);
    const driver = await startDriver(db, {
      'snapshot.mode': 'no_data',
      'message.key.columns': 'public.chosen:b',
    });
    await driver.pollDurable();
    await sql(db, "INSERT INTO nokey VALUES (1, 'x'); INSERT INTO chosen VALUES (2, 'y')");
    await driver.pollUntil((log) => log.length >= 2);
    expect(driver.log[0]!.key).toBeNull();
    expect(driver.log[0]!.keySchema).toBeNull();
    expect(driver.logger.warnings.some((w) => /public\.nokey has no primary key/.test(w))).toBe(true);
    // said at start, before the application's first UPDATE on it fails
    expect(
      driver.logger.warnings.some((w) =>
        /public\.nokey has no primary key and no replica identity.*REPLICA IDENTITY FULL/.test(w),
      ),
    ).toBe(true);
    expect(driver.log[1]!.key).toEqual({ b: 'y' });
  });

  it('skips a TRUNCATE by default, saying so, and emits it as op=t with skipped.operations=none', async () => {
    const db = await database(
      `CREATE TABLE gone (id int PRIMARY KEY); CREATE TABLE kept (id int PRIMARY KEY);`,
    );
    const skipping = await startDriver(db, { 'snapshot.mode': 'no_data' });
    await skipping.pollDurable();
    await sql(db, 'INSERT INTO gone VALUES (1); TRUNCATE gone; INSERT INTO kept VALUES (2)');
    await skipping.pollUntil((log) => log.some((r) => r.topic === 'pg.public.kept'));
    expect(skipping.log.map((r) => envelope(r)?.op)).toEqual(['c', 'c']);
    expect(
      skipping.logger.warnings.filter((w) => /TRUNCATE of public\.gone not sent on/.test(w)),
    ).toHaveLength(1);
    expect(skipping.logger.warnings.some((w) => /changed its columns/.test(w))).toBe(false);
    await skipping.stop();

    const emitting = await startDriver(db, {
      'snapshot.mode': 'no_data',
      'skipped.operations': 'none',
      'slot.name': 'truncating',
    });
    await emitting.pollDurable();
    await sql(db, 'TRUNCATE kept');
    await emitting.pollUntil((log) => log.length >= 1);
    expect(envelope(emitting.log[0]!)?.op).toBe('t');
  });

  it('warns when filtered mode takes tables out of an existing publication another connector may read', async () => {
    const db = await database(
      `CREATE TABLE mine (id int PRIMARY KEY); CREATE TABLE theirs (id int PRIMARY KEY);
       CREATE PUBLICATION shared FOR TABLE theirs;`,
    );
    const driver = await startDriver(db, {
      'snapshot.mode': 'no_data',
      'publication.name': 'shared',
      'publication.autocreate.mode': 'filtered',
      'table.include.list': 'public\\.mine',
    });
    await driver.pollDurable();
    expect(
      driver.logger.warnings.some((w) =>
        /publication shared held public\.theirs, which this connector does not capture.*its own publication\.name/.test(
          w,
        ),
      ),
    ).toBe(true);
  });

  it('picks up added, renamed, retyped and dropped columns mid-stream without a restart', async () => {
    const db = await database(`CREATE TABLE evolving (id int PRIMARY KEY, a int)`);
    const driver = await startDriver(db, { 'snapshot.mode': 'no_data' });
    await driver.pollDurable();
    await sql(db, 'INSERT INTO evolving VALUES (1, 10)');
    await sql(db, "ALTER TABLE evolving ADD COLUMN b text DEFAULT 'x'");
    await sql(db, "INSERT INTO evolving VALUES (2, 20, 'y')");
    await sql(db, 'ALTER TABLE evolving RENAME COLUMN a TO a2');
    await sql(db, 'ALTER TABLE evolving ALTER COLUMN a2 TYPE bigint');
    await sql(db, "INSERT INTO evolving VALUES (3, 30, 'z')");
    await sql(db, 'ALTER TABLE evolving DROP COLUMN b');
    await sql(db, 'INSERT INTO evolving VALUES (4, 40)');
    await driver.pollUntil((log) => log.length >= 4);
    const afters = driver.log.map((r) => envelope(r)!.after);
    expect(afters).toEqual([
      { id: 1, a: 10 },
      { id: 2, a: 20, b: 'y' },
      { id: 3, a2: 30, b: 'z' },
      { id: 4, a2: 40 },
    ]);
    const a2 = driver.log[2]!.valueSchema!.fields!.find((f) => f.name === 'after')!.schema.fields!;
    expect(a2.find((f) => f.name === 'a2')!.schema.type).toBe('int64');
  });

  it('keys the changes of a table dropped before they were read by its primary key all the same', async () => {
    const db = await database(`CREATE TABLE fleeting (id int PRIMARY KEY, v text)`);
    const driver = await startDriver(db, { 'snapshot.mode': 'no_data' });
    await driver.pollDurable();
    // the connector lags: the table is gone from the catalog when its changes are decoded
    await driver.task.stop();
    await sql(db, "INSERT INTO fleeting VALUES (1, 'a'), (2, 'b')");
    await sql(db, 'DROP TABLE fleeting');
    const again = await startDriver(db, { 'snapshot.mode': 'no_data' }, driver.offsets);
    await again.pollUntil((log) => log.length >= 2);
    expect(again.log.map((r) => r.key)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(again.logger.warnings.filter((w) => /no primary key/.test(w))).toEqual([]);
  });

  it('sends the placeholder for an unchanged TOASTed value, and the value under REPLICA IDENTITY FULL', async () => {
    const db = await database(
      `CREATE TABLE docs (id int PRIMARY KEY, body text, n int);
       CREATE TABLE full_docs (id int PRIMARY KEY, body text, n int); ALTER TABLE full_docs REPLICA IDENTITY FULL;`,
    );
    const driver = await startDriver(db, { 'snapshot.mode': 'no_data' });
    await driver.pollDurable();
    // random text does not compress, so it is stored out of line
    const big = `SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)`;
    await sql(db, `INSERT INTO docs VALUES (1, (${big}), 0); INSERT INTO full_docs VALUES (1, (${big}), 0)`);
    await sql(db, 'UPDATE docs SET n = 1; UPDATE full_docs SET n = 1');
    await driver.pollUntil((log) => log.length >= 4);
    const [docInsert, , docUpdate, fullUpdate] = driver.log.map((r) => envelope(r)!);
    expect((docInsert!.after!['body'] as string).length).toBe(12_800);
    expect(docUpdate!.after).toEqual({ id: 1, body: '__debezium_unavailable_value', n: 1 });
    expect((fullUpdate!.after!['body'] as string).length).toBe(12_800);
    // each as JSON text too, which the kit checks against the converter's
    expect(driver.log.every((r) => r.valueJson !== undefined)).toBe(true);
  });
});

describe('postgres-source restarts', () => {
  it('resumes after a crash: durable changes are not repeated, undurable ones are, nothing is lost', async () => {
    const db = await database(`CREATE TABLE r (id int PRIMARY KEY)`);
    const offsets = new OffsetStore();
    const log: SourceRecord[] = [];
    const first = await startDriver(db, { 'snapshot.mode': 'no_data', 'max.batch.size': '3' }, offsets, log);
    await first.pollDurable();
    await sql(db, 'INSERT INTO r SELECT generate_series(1, 10)');
    await first.pollUntil((l) => l.length >= 3);
    // a batch that is polled but never durable: the crash loses it
    const lost = await first.pollInFlight();
    expect(lost.length).toBeGreaterThan(0);
    await first.stop();

    await sql(db, 'INSERT INTO r SELECT generate_series(11, 12)');
    const second = await startDriver(db, { 'snapshot.mode': 'no_data', 'max.batch.size': '3' }, offsets, log);
    await second.pollUntil((l) => l.length >= 12);
    await new Promise((r) => setTimeout(r, 300));
    await second.pollDurable();
    const ids = log.map((r) => (r.key as { id: number }).id);
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // source.sequence goes on from the resumed position: its last commit is never "0" again
    const sequences = eventsOf(log, 'pg.public.r').map(
      (e) => JSON.parse(e.source['sequence'] as string) as string[],
    );
    expect(sequences.slice(3).every(([lastCommit]) => lastCommit !== '0')).toBe(true);
  });

  it('acknowledges nothing undurable to the slot after a reconnect: a crash then loses no change', async () => {
    const db = await database(`CREATE TABLE rc (id int PRIMARY KEY)`);
    const offsets = new OffsetStore();
    const log: SourceRecord[] = [];
    const config = { 'snapshot.mode': 'no_data', 'status.update.interval.ms': '100' };
    const first = await startDriver(db, config, offsets, log);
    await first.pollDurable();
    await sql(db, 'INSERT INTO rc VALUES (1)');
    await sql(db, 'INSERT INTO rc VALUES (2)');
    // handed out, never durable
    const inFlight: SourceRecord[] = [];
    const deadline = Date.now() + 10_000;
    while (inFlight.length < 2 && Date.now() < deadline) inFlight.push(...(await first.task.poll()));
    expect(inFlight).toHaveLength(2);
    // the replication connection drops: the task reconnects and streams on
    await sql(
      db,
      `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE active_pid IS NOT NULL`,
    );
    const reconnecting = Date.now() + 10_000;
    while (!first.logger.warnings.some((w) => /reconnecting/.test(w)) && Date.now() < reconnecting) {
      await first.task.poll().catch(() => []);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(first.logger.warnings).toContainEqual(expect.stringMatching(/reconnecting/));
    // the next polls open a new stream, whose status updates go out every 100 ms
    for (let i = 0; i < 8; i++) {
      await first.task.poll().catch(() => []);
      await new Promise((r) => setTimeout(r, 100));
    }
    await first.stop();

    const second = await startDriver(db, config, offsets, log);
    await second.pollUntil((l) => l.length >= 2);
    expect(log.map((r) => (r.key as { id: number }).id)).toEqual([1, 2]);
  });

  it('takes a replication connection gone silent as lost after replication.timeout.ms, and streams on over a new one', async () => {
    const db = await database(`CREATE TABLE quiet (id int PRIMARY KEY)`);
    // the server ends its side of the silenced connection soon too, so the slot is free again
    await sql(db, `ALTER DATABASE ${db} SET wal_sender_timeout = '1s'`);
    const proxy = await SilencingProxy.start(bed.server.port, bed.server.host);
    try {
      const driver = await bed.start({
        ...sourceConfig(bed.server, db, {
          'snapshot.mode': 'no_data',
          'replication.timeout.ms': '1500',
          'status.update.interval.ms': '60000',
        }),
        'database.port': String(proxy.port),
      });
      await sql(db, 'INSERT INTO quiet VALUES (1)');
      await driver.pollUntil((l) => l.length >= 1);
      // a network failure: neither side hears of it, nothing more arrives
      expect(proxy.silenceReplication()).toBe(1);
      await sql(db, 'INSERT INTO quiet VALUES (2)');
      const deadline = Date.now() + 20_000;
      while (driver.log.length < 2 && Date.now() < deadline) {
        // a retriable failure is the runtime's to back off from and poll again
        await driver.pollDurable().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(driver.logger.warnings).toContainEqual(
        expect.stringMatching(/no message from the server in \d+ ms \(replication.timeout.ms is 1500\)/),
      );
      expect(driver.log.map((r) => (r.key as { id: number }).id)).toEqual([1, 2]);
    } finally {
      await proxy.close();
    }
  });

  it('acknowledges the slot only up to durable changes, and heartbeats move it while tables are idle', async () => {
    const db = await database(`CREATE TABLE h (id int PRIMARY KEY); CREATE TABLE other (id int)`);
    const driver = await startDriver(db, {
      'snapshot.mode': 'no_data',
      'table.include.list': 'public.h',
      'heartbeat.interval.ms': '200',
    });
    const slot = async (): Promise<bigint> => {
      const [row] = await bed.server.query<{ lsn: string }>(
        "SELECT (confirmed_flush_lsn - '0/0')::text AS lsn FROM pg_replication_slots WHERE slot_name = $1",
        [`slot_${db}`],
      );
      return BigInt(row!.lsn);
    };
    await driver.pollDurable();
    await sql(db, 'INSERT INTO h VALUES (1)');
    const polled = await driver.pollInFlight();
    const before = await slot();
    await new Promise((r) => setTimeout(r, 400));
    expect(await slot()).toBe(before);
    driver.makeDurable(polled);
    // changes to a table not captured move the WAL; heartbeats let the slot follow
    await sql(db, 'INSERT INTO other SELECT generate_series(1, 1000)');
    const [{ wal }] = (await bed.server.query<{ wal: string }>(
      "SELECT (pg_current_wal_lsn() - '0/0')::text AS wal",
    )) as [{ wal: string }];
    const deadline = Date.now() + 10_000;
    while ((await slot()) < BigInt(wal) && Date.now() < deadline) await driver.pollDurable();
    expect(await slot()).toBeGreaterThanOrEqual(BigInt(wal));
    expect(driver.log.some((r) => r.topic === '__debezium-heartbeat.pg')).toBe(true);
  });

  it('keeps the snapshot state in heartbeat offsets while a resumed snapshot still filters the stream', async () => {
    const db = await database(`CREATE TABLE hs (id int PRIMARY KEY); CREATE TABLE other (id int)`);
    await bed.server.query(`SELECT pg_create_logical_replication_slot('slot_${db}', 'pgoutput')`, [], db);
    const [{ wal }] = (await bed.server.query<{ wal: string }>(
      "SELECT (pg_current_wal_lsn() - '0/0')::text AS wal",
    )) as [{ wal: string }];
    // a finished snapshot whose last pass began further on than the stream is now: changes
    // committed before it are filtered, and a restart from any position before it must know
    const state = {
      done: true,
      tables: ['public.hs'],
      totals: [0],
      counts: [0],
      passes: [{ lsn: String(BigInt(wal) + (1n << 32n)), table: 0, key: null }],
    };
    const offsets = new OffsetStore();
    offsets.set({ server: 'pg' }, { lsn_commit: wal, event: 0, snapshot: state });
    const driver = await startDriver(
      db,
      { 'snapshot.mode': 'initial', 'table.include.list': 'public.hs', 'heartbeat.interval.ms': '100' },
      offsets,
    );
    await sql(db, 'INSERT INTO other SELECT generate_series(1, 1000)');
    await driver.pollUntil((l) => l.some((r) => r.topic === '__debezium-heartbeat.pg'));
    const heartbeat = driver.log.find((r) => r.topic === '__debezium-heartbeat.pg')!;
    expect(heartbeat.sourceOffset).toEqual(expect.objectContaining({ snapshot: state }));
  });
});
