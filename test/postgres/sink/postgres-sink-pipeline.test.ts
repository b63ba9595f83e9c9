import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas, type PartitionOffsets } from '@sluice/connect-api';
import pg from 'pg';
import { PostgresServer } from '../../support/postgres-server.js';
import { FakeSinkContext, RecordFactory, startSinkTask } from './sink-test-kit.js';

let server: PostgresServer;
const DB = 'sinkpipeline';

beforeAll(async () => {
  server = await PostgresServer.start();
  await server.createDatabase(DB);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const q = <T extends Record<string, unknown>>(sql: string): Promise<T[]> => server.query<T>(sql, [], DB);
const value = SchemaBuilder.struct().field('n', Schemas.INT32).build();
const offsetsAt = (topic: string, offset: number): PartitionOffsets =>
  new Map([[`${topic}:0`, { partition: { topic, partition: 0 }, offset }]]);

/** Holds an ACCESS EXCLUSIVE lock on `table` until release(): the sink's writes wait for it. */
async function lockTable(table: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: server.url(DB) });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
  return {
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

describe('postgres-sink write pipeline', () => {
  it('gathers rows across put() calls, commits offsets only for rows in the target, and flush() writes the rest', async () => {
    await q('CREATE TABLE gathered (n int PRIMARY KEY)');
    const { task } = await startSinkTask({
      'connection.url': server.url(DB),
      topics: 'gathered',
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': 'n',
      'batch.size': '100',
    });
    const f = new RecordFactory('gathered');
    const put = (from: number, count: number): Promise<void> =>
      task.put(
        Array.from({ length: count }, (_, i) => f.record(null, { n: from + i }, { valueSchema: value })),
      );

    await put(0, 10);
    await task.flush();
    const lock = await lockTable('gathered');
    // the first batch waits for the lock; the next puts gather behind it
    await put(10, 30);
    await put(40, 30);
    await put(70, 20);
    expect(await task.preCommit(offsetsAt('gathered', 90))).toEqual(offsetsAt('gathered', 10));
    expect(
      await q('SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = $$Lock$$'),
    ).toEqual([{ n: 1 }]);

    await lock.release();
    await task.flush();
    expect(await q('SELECT count(*)::int AS n, max(n) AS max FROM gathered')).toEqual([{ n: 90, max: 89 }]);
    expect(await task.preCommit(offsetsAt('gathered', 90))).toEqual(offsetsAt('gathered', 90));
    await task.stop();
  });

  it('writes everything in the last preCommit of a stopping task, and drops what close() takes away', async () => {
    await q('CREATE TABLE stopping (n int PRIMARY KEY)');
    const context = new FakeSinkContext();
    const { task } = await startSinkTask(
      {
        'connection.url': server.url(DB),
        topics: 'stopping',
        'insert.mode': 'upsert',
        'pk.mode': 'record_value',
        'pk.fields': 'n',
      },
      context,
    );
    const f = new RecordFactory('stopping');
    const lock = await lockTable('stopping');
    await task.put([0, 1, 2].map((n) => f.record(null, { n }, { valueSchema: value })));
    await task.put([3, 4].map((n) => f.record(null, { n }, { valueSchema: value })));
    await task.put([5].map((n) => f.record(null, { n }, { valueSchema: value, partition: 1 })));
    const closing = task.close([{ topic: 'stopping', partition: 1 }]);
    await lock.release();
    await closing;
    context.abort.abort();
    expect(await task.preCommit(offsetsAt('stopping', 5))).toEqual(offsetsAt('stopping', 5));
    expect(await q('SELECT n FROM stopping ORDER BY n')).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
    await task.stop();
  });
});
