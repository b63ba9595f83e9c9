import { describe, expect, it } from '@jest/globals';
import { isRetriable } from '@sluice/connect-api';
import type { SourceTaskDriver } from './source-test-kit.js';
import { envelope, OffsetStore, sourceConfig } from './source-test-kit.js';
import { SourceTestBed } from './source-test-bed.js';

const bed = new SourceTestBed('ops');

const database = (setup: string): Promise<string> => bed.database(setup);
async function startDriver(db: string, overrides: Record<string, string> = {}): Promise<SourceTaskDriver> {
  return bed.start(sourceConfig(bed.server, db, overrides), new OffsetStore());
}

const sql = (db: string, text: string): Promise<unknown> => bed.sql(db, text);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls as the runtime does: a retriable error means "again after a backoff". */
async function pollRetrying(
  driver: SourceTaskDriver,
  done: () => boolean,
  timeoutMs = 20_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let retries = 0;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out with ${driver.log.length} records`);
    try {
      await driver.pollDurable();
    } catch (err) {
      if (!isRetriable(err)) throw err;
      retries++;
      await sleep(100);
    }
  }
  return retries;
}

async function walLsn(): Promise<bigint> {
  const [row] = await bed.server.query<{ lsn: string }>(
    "SELECT (pg_current_wal_insert_lsn() - '0/0')::text AS lsn",
  );
  return BigInt(row!.lsn);
}

describe('postgres-source operations', () => {
  it('reconnects the catalog connection after its backend is terminated mid-stream', async () => {
    const db = await database(`CREATE TABLE a (id int PRIMARY KEY)`);
    const driver = await startDriver(db, { 'snapshot.mode': 'no_data' });
    await driver.pollDurable();
    await sql(db, 'INSERT INTO a VALUES (1)');
    await driver.pollUntil((log) => log.length >= 1);

    const terminated = await bed.server.query<{ pid: number }>(
      `SELECT pg_terminate_backend(pid) FROM (SELECT pid FROM pg_stat_activity
         WHERE datname = $1 AND application_name = 'sluice-postgres-catalog') catalog`,
      [db],
    );
    expect(terminated).toHaveLength(1);
    // a new table needs the catalog (its relation message is completed from it)
    await sql(db, 'CREATE TABLE b (id int PRIMARY KEY, v text NOT NULL); INSERT INTO b VALUES (2, $$two$$)');
    await sql(db, 'INSERT INTO a VALUES (3)');
    await pollRetrying(driver, () => driver.log.length >= 3);

    expect(driver.log.map((r) => [r.topic, envelope(r)!.op, r.key])).toEqual([
      ['pg.public.a', 'c', { id: 1 }],
      ['pg.public.b', 'c', { id: 2 }],
      ['pg.public.a', 'c', { id: 3 }],
    ]);
    expect(envelope(driver.log[1]!)!.after).toEqual({ id: 2, v: 'two' });
    const catalogs = await bed.server.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'sluice-postgres-catalog'`,
      [db],
    );
    expect(catalogs).toHaveLength(1);
  });

  it('reports replication lag, the acknowledged position and WAL retained by the slot as gauges', async () => {
    const db = await database(
      `CREATE TABLE g (id int PRIMARY KEY); INSERT INTO g SELECT generate_series(1, 5);`,
    );
    // status.update.interval.ms (1 s in tests) also paces the measurements
    const driver = await startDriver(db, { 'max.batch.size': '100' });
    const gauges = driver.reporter.gauges;
    await driver.pollUntil((log) => log.length >= 5);
    expect(gauges.get('snapshot_rows')).toBe(5);

    const [slot] = await bed.server.query<{ lsn: string }>(
      "SELECT (confirmed_flush_lsn - '0/0')::text AS lsn FROM pg_replication_slots WHERE slot_name = $1",
      [`slot_${db}`],
    );
    const streamStart = BigInt(slot!.lsn);
    const before = await walLsn();
    await sql(db, 'INSERT INTO g SELECT generate_series(6, 3005)');
    const after = await walLsn();
    // behind: one batch taken, the rest of the transaction queued
    await driver.pollUntil((log) => log.length >= 105);
    await sleep(1_100);
    await driver.pollDurable();
    expect(gauges.get('replication_lag_bytes')).toBeGreaterThan(0);
    expect(gauges.get('replication_lag_bytes')).toBeLessThanOrEqual(Number(after - streamStart));
    expect(gauges.get('replication_lag_ms')).toBeGreaterThanOrEqual(0);

    // caught up, everything durable: no lag, the slot acknowledged past the transaction
    await driver.pollUntil((log) => log.length >= 3005);
    // the commit may come in the next batch; the slot is acknowledged once it is durable
    await driver.pollDurable();
    await sleep(1_100);
    await driver.pollDurable();
    expect(gauges.get('replication_lag_bytes')).toBe(0);
    expect(gauges.get('replication_lag_ms')).toBe(0);
    const acknowledged = gauges.get('slot_acknowledged_lsn')!;
    expect(acknowledged).toBeGreaterThan(Number(before));
    expect(acknowledged).toBeLessThanOrEqual(Number(await walLsn()));

    // measured asynchronously on the catalog connection: compare with the server's own figure
    const retained = async (): Promise<number> => {
      const [row] = await bed.server.query<{ bytes: string }>(
        'SELECT (pg_current_wal_lsn() - restart_lsn)::int8::text AS bytes FROM pg_replication_slots WHERE slot_name = $1',
        [`slot_${db}`],
      );
      return Number(row!.bytes);
    };
    const deadline = Date.now() + 10_000;
    while (gauges.get('slot_retained_wal_bytes') !== (await retained()) && Date.now() < deadline) {
      await sleep(300);
      await driver.pollDurable();
    }
    expect(gauges.get('slot_retained_wal_bytes')).toBe(await retained());
    expect(gauges.get('slot_retained_wal_bytes')).toBeGreaterThan(0);
  });
});
