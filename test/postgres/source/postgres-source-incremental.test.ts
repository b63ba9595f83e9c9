import { describe, expect, it } from '@jest/globals';
import { DataError, type SourceRecord } from '@sluice/connect-api';
import pg from 'pg';
import type { SourceTaskDriver } from './source-test-kit.js';
import { envelope, materialize, OffsetStore, sourceConfig } from './source-test-kit.js';
import { SourceTestBed } from './source-test-bed.js';

const bed = new SourceTestBed('incr');

const database = (setup: string): Promise<string> => bed.database(setup);
async function startDriver(
  db: string,
  overrides: Record<string, string>,
  offsets = new OffsetStore(),
  log: SourceRecord[] = [],
): Promise<SourceTaskDriver> {
  return bed.start(sourceConfig(bed.server, db, { 'snapshot.mode': 'no_data', ...overrides }), offsets, log);
}

const sql = (db: string, text: string): Promise<unknown> => bed.sql(db, text);

/** The table as rows keyed by id, in the form the events carry. */
async function tableRows(db: string, table: string): Promise<Map<string, unknown>> {
  const rows = await bed.server.query<{ id: number; v: string }>(`SELECT id, v FROM ${table}`, [], db);
  return new Map(rows.map((r) => [String(r.id), { id: r.id, v: r.v }]));
}

/** The incremental snapshot reported progress and then none: it is over. */
function incrementalDone(driver: SourceTaskDriver): boolean {
  const progress = driver.reporter.progressLog;
  return progress.some((p) => p?.phase === 'incremental-snapshot') && progress[progress.length - 1] === null;
}

const snapshotReads = (log: readonly SourceRecord[], topic: string): SourceRecord[] =>
  log.filter((r) => r.topic === topic && envelope(r)?.op === 'r');

const executeSnapshot = (id: string, tables: string[]) => ({
  id,
  type: 'execute-snapshot',
  data: { 'data-collections': tables, type: 'incremental' },
});

describe('postgres-source incremental snapshots', () => {
  it('reads a table in chunks between signal-table watermarks; changes inside a window win over the read rows', async () => {
    const db = await database(
      `CREATE TABLE debezium_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));
       CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);
       INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 25) g;
       -- commits with each high watermark, before it: after the chunk was read, inside its window
       CREATE FUNCTION in_window() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.type = 'snapshot-window-close' THEN
           UPDATE t SET v = v || '+w' WHERE id IN (3, 12);
           DELETE FROM t WHERE id = 4;
         END IF;
         RETURN NEW;
       END $$;
       CREATE TRIGGER in_window BEFORE INSERT ON debezium_signal FOR EACH ROW EXECUTE FUNCTION in_window();`,
    );
    const driver = await startDriver(db, {
      'signal.data.collection': 'public.debezium_signal',
      'incremental.snapshot.chunk.size': '10',
    });
    await driver.pollDurable();
    await sql(
      db,
      `INSERT INTO debezium_signal VALUES ('ad-hoc-1', 'execute-snapshot', '{"data-collections": ["public.t"], "type": "incremental"}')`,
    );
    await driver.pollUntil(() => incrementalDone(driver));

    const reads = snapshotReads(driver.log, 'pg.public.t');
    const readIds = reads.map((r) => (r.key as { id: number }).id);
    // 3 and 12 changed inside their chunk's window, 4 was deleted there: their reads are dropped
    expect(readIds).toEqual([
      1, 2, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    ]);
    expect(reads.every((r) => envelope(r)!.source['snapshot'] === 'incremental')).toBe(true);
    expect(envelope(reads[0]!)!.after).toEqual({ id: 1, v: 'v1' });
    expect(materialize(driver.log, 'pg.public.t')).toEqual(await tableRows(db, 't'));
    const progress = driver.reporter.progressLog.filter((p) => p?.phase === 'incremental-snapshot');
    expect(progress[progress.length - 1]!.items).toEqual([{ name: 'public.t', done: 20, total: 25 }]);
  });

  it('snapshots a table under concurrent writes on handleSignal (logical-message watermarks) with no lost update', async () => {
    const db = await database(
      `CREATE TABLE w (id int PRIMARY KEY, v text NOT NULL);
       INSERT INTO w SELECT g, 'v' || g FROM generate_series(1, 600) g;
       CREATE TABLE done_marker (id int PRIMARY KEY);`,
    );
    const driver = await startDriver(db, { 'incremental.snapshot.chunk.size': '50' });
    await driver.pollDurable();
    const writer = startWriter(db, 600);
    await driver.task.handleSignal!(executeSnapshot('rest-1', ['public.w']));
    await driver.pollUntil(() => incrementalDone(driver), 30_000);
    const writes = await writer.stop();
    await sql(db, 'INSERT INTO done_marker VALUES (1)');
    await driver.pollUntil((log) => log.some((r) => r.topic === 'pg.public.done_marker'));

    expect(writes).toBeGreaterThan(20);
    const reads = snapshotReads(driver.log, 'pg.public.w');
    expect(reads.length).toBeGreaterThan(300);
    expect(materialize(driver.log, 'pg.public.w')).toEqual(await tableRows(db, 'w'));
  });

  it('rejects signals it cannot carry out with a DataError that says why', async () => {
    const db = await database(
      `CREATE TABLE keyed (id int PRIMARY KEY, v text NOT NULL); CREATE TABLE nokey (v text);
       CREATE TABLE other (id int PRIMARY KEY);`,
    );
    const driver = await startDriver(db, { 'table.include.list': 'public.keyed,public.nokey' });
    const reject = (signal: { id: string; type: string; data: Record<string, unknown> }) =>
      expect(Promise.resolve(driver.task.handleSignal!(signal))).rejects.toThrow(DataError);
    await reject({ id: 's1', type: 'pause-everything', data: {} });
    await reject(executeSnapshot('s2', ['public.missing']));
    await reject(executeSnapshot('s3', ['public.other']));
    await reject(executeSnapshot('s4', ['public.nokey']));
    await reject({
      id: 's5',
      type: 'execute-snapshot',
      data: { 'data-collections': ['public.keyed'], type: 'blocking' },
    });
    await expect(
      Promise.resolve(driver.task.handleSignal!(executeSnapshot('s6', ['public.missing']))),
    ).rejects.toThrow(/public\.missing does not exist/);
    await expect(
      Promise.resolve(driver.task.handleSignal!(executeSnapshot('s7', ['public.keyed']))),
    ).resolves.toBeUndefined();
  });

  it('resumes after a crash from the last durable chunk row, and stop-snapshot ends it', async () => {
    const db = await database(
      `CREATE TABLE r (id int PRIMARY KEY, v text NOT NULL);
       INSERT INTO r SELECT g, 'v' || g FROM generate_series(1, 100) g;
       CREATE TABLE s (id int PRIMARY KEY, v text NOT NULL);
       INSERT INTO s SELECT g, 'v' || g FROM generate_series(1, 100) g;`,
    );
    const offsets = new OffsetStore();
    const log: SourceRecord[] = [];
    const overrides = { 'incremental.snapshot.chunk.size': '10' };
    const first = await startDriver(db, overrides, offsets, log);
    await first.pollDurable();
    await first.task.handleSignal!(executeSnapshot('crash-1', ['public.r', 'public.s']));
    await first.pollUntil((l) => snapshotReads(l, 'pg.public.r').length >= 30);
    // a batch polled but never durable: the crash loses it
    await first.pollInFlight();
    await first.stop();
    const durableReads = snapshotReads(log, 'pg.public.r').map((r) => (r.key as { id: number }).id);
    const lastDurable = durableReads[durableReads.length - 1]!;

    const second = await startDriver(db, overrides, offsets, log);
    await second.pollUntil((l) => snapshotReads(l, 'pg.public.s').length >= 10);
    await second.task.handleSignal!({ id: 'stop-1', type: 'stop-snapshot', data: { type: 'incremental' } });
    await second.pollUntil(
      () => second.reporter.progressLog[second.reporter.progressLog.length - 1] === null,
    );

    const readIds = snapshotReads(log, 'pg.public.r').map((r) => (r.key as { id: number }).id);
    // nothing durable is read again; everything after it is read once
    expect(readIds).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(lastDurable).toBeGreaterThanOrEqual(30);
    expect(materialize(log, 'pg.public.r')).toEqual(await tableRows(db, 'r'));
    // stopped part-way through s
    const sReads = snapshotReads(log, 'pg.public.s').length;
    expect(sReads).toBeGreaterThanOrEqual(10);
    expect(sReads).toBeLessThan(100);
    await sql(db, "UPDATE s SET v = 'after stop' WHERE id = 1");
    await second.pollUntil((l) => l.some((r) => envelope(r)?.op === 'u'));
    expect(snapshotReads(log, 'pg.public.s').length).toBe(sReads);
  });
});

/** Small transactions of updates, inserts and deletes on `table` w until stopped. */
function startWriter(db: string, rows: number): { stop: () => Promise<number> } {
  let running = true;
  const done = (async () => {
    const client = new pg.Client({ connectionString: bed.server.url(db) });
    await client.connect();
    let n = 0;
    let next = rows + 1;
    while (running) {
      const id = 1 + Math.floor(Math.random() * (next - 1));
      await client.query('BEGIN');
      await client.query("UPDATE w SET v = v || '+' WHERE id = $1", [id]);
      if (n % 4 === 0) await client.query("INSERT INTO w VALUES ($1, 'new')", [next++]);
      if (n % 7 === 0) await client.query('DELETE FROM w WHERE id = $1', [1 + ((id * 13) % (next - 1))]);
      await client.query('COMMIT');
      n++;
    }
    await client.end();
    return n;
  })();
  return {
    stop: async () => {
      running = false;
      return done;
    },
  };
}
