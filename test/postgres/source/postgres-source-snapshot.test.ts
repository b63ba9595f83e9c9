import { describe, expect, it } from '@jest/globals';
import { ConnectError, type SourceRecord } from '@sluice/connect-api';
import pg from 'pg';
import { envelope, materialize, OffsetStore, SourceTaskDriver, sourceConfig } from './source-test-kit.js';
import { SourceTestBed } from './source-test-bed.js';

const bed = new SourceTestBed('snap');

const ROWS = 2_000;

function seeded(): Promise<string> {
  return bed.database(
    `CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL);
     INSERT INTO accounts SELECT g, 0 FROM generate_series(1, ${ROWS}) g;
     CREATE TABLE z_more (id int PRIMARY KEY, v text);
     INSERT INTO z_more SELECT g, 'v' || g FROM generate_series(1, 300) g;`,
  );
}

/** Small transactions of inserts, updates and deletes until stopped. */
function startWriter(db: string): { stop: () => Promise<number> } {
  let running = true;
  const done = (async () => {
    const client = new pg.Client({ connectionString: bed.server.url(db) });
    await client.connect();
    let n = 0;
    let next = ROWS + 1;
    while (running) {
      const id = 1 + Math.floor(Math.random() * (next - 1));
      await client.query('BEGIN');
      await client.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [id]);
      await client.query('INSERT INTO accounts VALUES ($1, 0)', [next++]);
      if (n % 3 === 0)
        await client.query('DELETE FROM accounts WHERE id = $1', [1 + ((id * 7) % (next - 1))]);
      if (n % 5 === 0) await client.query("UPDATE z_more SET v = v || '+' WHERE id = $1", [1 + (n % 300)]);
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

/** Every key's events make sense in order: no create of a present row, no change of an absent one. */
function assertNoGapNoDouble(log: readonly SourceRecord[], topic: string): void {
  const present = new Set<string>();
  for (const r of log) {
    if (r.topic !== topic || r.value === null) continue;
    const key = JSON.stringify(r.key);
    const op = envelope(r)!.op;
    if (op === 'r' || op === 'c') {
      if (present.has(key)) throw new Error(`${topic} ${key}: ${op} of a row already there (a double)`);
      present.add(key);
    } else {
      if (!present.has(key)) throw new Error(`${topic} ${key}: ${op} of a row never seen (a gap)`);
      if (op === 'd') present.delete(key);
    }
  }
}

async function tableRows(db: string, table: string): Promise<Map<string, unknown>> {
  const rows = await bed.server.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY id`, [], db);
  return new Map(rows.map((r) => [String(r['id']), r]));
}

async function expectCaughtUp(driver: SourceTaskDriver, db: string): Promise<void> {
  const want = await tableRows(db, 'accounts');
  const wantMore = await tableRows(db, 'z_more');
  await driver.pollUntil(
    (log) =>
      sameRows(materialize(log, 'pg.public.accounts'), want) &&
      sameRows(materialize(log, 'pg.public.z_more'), wantMore),
    30_000,
  );
  assertNoGapNoDouble(driver.log, 'pg.public.accounts');
  assertNoGapNoDouble(driver.log, 'pg.public.z_more');
}

function sameRows(a: Map<string, unknown>, b: Map<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of b) if (JSON.stringify(a.get(k)) !== JSON.stringify(v)) return false;
  return true;
}

/** A seeded database and a task snapshotting it (100 rows a fetch), with the store and log a restart shares. */
async function snapshotting(): Promise<{
  db: string;
  config: Record<string, string>;
  offsets: OffsetStore;
  log: SourceRecord[];
  first: SourceTaskDriver;
}> {
  const db = await seeded();
  const offsets = new OffsetStore();
  const log: SourceRecord[] = [];
  const config = sourceConfig(bed.server, db, { 'snapshot.fetch.size': '100' });
  return { db, config, offsets, log, first: await started(config, offsets, log) };
}

async function started(
  config: Record<string, string>,
  offsets: OffsetStore,
  log: SourceRecord[],
): Promise<SourceTaskDriver> {
  const driver = new SourceTaskDriver(config, offsets, log);
  bed.track(driver);
  await driver.start();
  return driver;
}

describe('postgres-source snapshot consistency', () => {
  it('snapshot plus stream under concurrent writes: no gap, no double', async () => {
    const db = await seeded();
    const writer = startWriter(db);
    await new Promise((r) => setTimeout(r, 100));
    const driver = new SourceTaskDriver(
      sourceConfig(bed.server, db, { 'snapshot.fetch.size': '100' }),
      new OffsetStore(),
    );
    bed.track(driver);
    await driver.start();
    await driver.pollUntil((log) => log.some((r) => envelope(r)?.source['snapshot'] === 'last'));
    await driver.pollUntil((log) => log.filter((r) => envelope(r)?.op === 'c').length > 50);
    const transactions = await writer.stop();
    expect(transactions).toBeGreaterThan(50);
    await expectCaughtUp(driver, db);
  });

  it('a crash mid-snapshot resumes from the last durable key in a new snapshot: no gap, no double', async () => {
    const db = await seeded();
    const offsets = new OffsetStore();
    const log: SourceRecord[] = [];
    const config = sourceConfig(bed.server, db, { 'snapshot.fetch.size': '100' });
    const writer = startWriter(db);
    const first = new SourceTaskDriver(config, offsets, log);
    bed.track(first);
    await first.start();
    await first.pollUntil((l) => l.length >= 700);
    await first.pollInFlight(); // lost in the crash
    await first.stop();
    await new Promise((r) => setTimeout(r, 200));

    const second = new SourceTaskDriver(config, offsets, log);
    bed.track(second);
    await second.start();
    await second.pollUntil((l) => l.some((r) => envelope(r)?.source['snapshot'] === 'last'));
    const snapshotted = log.filter((r) => envelope(r)?.op === 'r' && r.topic === 'pg.public.accounts');
    // resumed where it stopped, not started over: every row read once
    expect(new Set(snapshotted.map((r) => JSON.stringify(r.key))).size).toBe(snapshotted.length);
    await second.pollUntil((l) => l.filter((r) => envelope(r)?.op === 'c').length > 30);
    await writer.stop();
    await expectCaughtUp(second, db);
    const [{ slots }] = (await bed.server.query<{ slots: string }>(
      'SELECT count(*)::text AS slots FROM pg_replication_slots',
    )) as [{ slots: string }];
    // the temporary slot of the resumed pass is gone with its connection
    expect(slots).toBe(String(bed.databaseCount));
  });

  it('hands a chunk of rows out max.batch.size records a poll, and resumes mid-chunk after a crash', async () => {
    const db = await seeded();
    const offsets = new OffsetStore();
    const log: SourceRecord[] = [];
    const config = sourceConfig(bed.server, db, { 'snapshot.fetch.size': '100', 'max.batch.size': '30' });
    const isLast = (r: SourceRecord): boolean => envelope(r)?.source['snapshot'] === 'last';
    const sizes: number[] = [];
    const first = await started(config, offsets, log);
    while (log.length < 130) sizes.push((await first.pollDurable()).length);
    await first.pollInFlight(); // lost in the crash: the second chunk's rows after 150
    await first.stop();

    const second = await started(config, offsets, log);
    while (!log.some(isLast)) sizes.push((await second.pollDurable()).length);
    expect(Math.max(...sizes)).toBe(30);
    const keys = log.filter((r) => envelope(r)?.op === 'r').map((r) => `${r.topic}:${JSON.stringify(r.key)}`);
    expect(keys).toHaveLength(ROWS + 300);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("deletes a row whose key moved past a resumed snapshot's start before it resumed", async () => {
    const { db, config, offsets, log, first } = await snapshotting();
    await first.pollUntil((l) => l.length >= 700);
    await first.stop();
    // row 1, read by the first pass, takes a key the resumed pass will read
    await bed.server.query(`UPDATE accounts SET id = ${ROWS + 5000} WHERE id = 1`, [], db);
    const second = await started(config, offsets, log);
    await expectCaughtUp(second, db);
    expect(materialize(log, 'pg.public.accounts').has('1')).toBe(false);
  });

  it('fails a snapshot whose connection is lost saying how to resume, and a restart resumes it', async () => {
    const { db, config, offsets, log, first } = await snapshotting();
    await first.pollUntil((l) => l.length >= 300);
    await bed.server.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sluice-postgres-snapshot'`,
      [],
      db,
    );
    let failure: Error | null = null;
    for (let i = 0; i < 20 && !failure; i++) await first.pollDurable().catch((err: Error) => (failure = err));
    expect(failure).toBeInstanceOf(ConnectError);
    expect(failure!.message).toMatch(/^the snapshot failed \(.*\); restarting the task .* resumes it/);
    await first.stop();

    const second = await started(config, offsets, log);
    await second.pollUntil((l) => l.some((r) => envelope(r)?.source['snapshot'] === 'last'));
    const keys = log.filter((r) => envelope(r)?.op === 'r').map((r) => `${r.topic}:${JSON.stringify(r.key)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(ROWS + 300);
  });

  it('snapshot.mode=initial_only snapshots and does not stream; no_data streams without a snapshot', async () => {
    const db = await seeded();
    const only = new SourceTaskDriver(
      sourceConfig(bed.server, db, { 'snapshot.mode': 'initial_only', 'slot.name': 'only' }),
      new OffsetStore(),
    );
    bed.track(only);
    await only.start();
    await only.pollUntil((l) => l.some((r) => envelope(r)?.source['snapshot'] === 'last'));
    await bed.server.query('INSERT INTO accounts VALUES (-1, 0)', [], db);
    for (let i = 0; i < 3; i++) await only.pollDurable();
    expect(only.log).toHaveLength(ROWS + 300);
    // no slot is left behind to hold the server's WAL: the snapshot's was temporary
    const slots = await bed.server.query<{ slot_name: string; temporary: boolean }>(
      'SELECT slot_name, temporary FROM pg_replication_slots WHERE NOT temporary',
      [],
      db,
    );
    expect(slots.map((s) => s.slot_name)).not.toContain('only');
    await only.stop();

    const none = new SourceTaskDriver(
      sourceConfig(bed.server, db, { 'snapshot.mode': 'no_data', 'slot.name': 'none' }),
      new OffsetStore(),
    );
    bed.track(none);
    await none.start();
    await none.pollDurable();
    await bed.server.query('INSERT INTO accounts VALUES (-2, 0)', [], db);
    await none.pollUntil((l) => l.length >= 1);
    expect(none.log.map((r) => envelope(r)!.op)).toEqual(['c']);
  });
});
