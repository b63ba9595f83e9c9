import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConnectError, DataError, isRetriable, SchemaBuilder, Schemas } from '@sluice/connect-api';
import type { PostgresSinkTask } from '../../../connectors/postgres/src/sink/index.js';
import { PostgresServer } from '../../support/postgres-server.js';
import { FakeSinkContext, putAndFlush, RecordFactory, startSinkTask } from './sink-test-kit.js';

let server: PostgresServer;
const DB = 'sinkretry';

beforeAll(async () => {
  server = await PostgresServer.start();
  await server.createDatabase(DB);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const q = <T extends Record<string, unknown>>(sql: string): Promise<T[]> => server.query<T>(sql, [], DB);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const value = SchemaBuilder.struct().field('n', Schemas.INT32).field('pad', Schemas.STRING).build();

/** Puts `batches` batches of 100 records, as a runtime would, as fast as the task takes them. */
async function feed(task: PostgresSinkTask, topic: string, batches: number): Promise<void> {
  const f = new RecordFactory(topic);
  for (let b = 0; b < batches; b++) {
    await task.put(
      Array.from({ length: 100 }, (_, i) =>
        f.record(null, { n: b * 100 + i, pad: 'x'.repeat(50) }, { valueSchema: value }),
      ),
    );
    await sleep(20);
  }
  await task.flush();
}

describe('postgres-sink retries', () => {
  it('reconnects and retries while the target restarts: every row arrives, none twice with exactly.once', async () => {
    const base = {
      'connection.url': server.url(DB),
      'auto.create': 'true',
      'retry.backoff.ms': '300',
      'max.retries': '30',
      'batch.size': '100',
    };
    // at least once, made idempotent by keying rows on their log position
    const upserting = await startSinkTask({
      ...base,
      topics: 'idem',
      'insert.mode': 'upsert',
      'pk.mode': 'kafka',
    });
    // plain inserts, where only the stored offsets keep a replayed batch out
    const eos = await startSinkTask(
      { ...base, topics: 'eos', 'exactly.once': 'true' },
      new FakeSinkContext('eos-retry'),
    );
    await eos.task.open([{ topic: 'eos', partition: 0 }]);

    const writing = Promise.all([feed(upserting.task, 'idem', 60), feed(eos.task, 'eos', 60)]);
    await sleep(300);
    await server.restart(2000);
    await writing;

    expect(
      await q('SELECT count(*)::int AS rows, count(DISTINCT n)::int AS distinct, max(n) AS max FROM idem'),
    ).toEqual([{ rows: 6000, distinct: 6000, max: 5999 }]);
    expect(
      await q('SELECT count(*)::int AS rows, count(DISTINCT n)::int AS distinct, max(n) AS max FROM eos'),
    ).toEqual([{ rows: 6000, distinct: 6000, max: 5999 }]);
    expect(await q(`SELECT next_offset FROM __sluice_sink_offsets WHERE connector = 'eos-retry'`)).toEqual([
      { next_offset: '6000' },
    ]);
    // both noticed the restart and retried
    expect(upserting.context.logger.warnings.some((w) => /retrying in 300 ms/.test(w))).toBe(true);
    expect(eos.context.logger.warnings.some((w) => /retrying in 300 ms/.test(w))).toBe(true);
    await upserting.task.stop();
    await eos.task.stop();
  });

  it('fails for good (not retriable, not a record problem) after max.retries', async () => {
    const { task } = await startSinkTask({
      'connection.url': server.url(DB),
      topics: 'giveup',
      'auto.create': 'true',
      'retry.backoff.ms': '100',
      'max.retries': '2',
    });
    const restarting = server.restart(2500);
    await sleep(800);
    const put = putAndFlush(task, [
      new RecordFactory('giveup').record(null, { n: 1, pad: '' }, { valueSchema: value }),
    ]);
    const error = await put.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConnectError);
    expect(isRetriable(error)).toBe(false);
    expect(error).not.toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/still failing after 2 retries \(max.retries\)/);
    await restarting;
    await task.stop();
  });
});
