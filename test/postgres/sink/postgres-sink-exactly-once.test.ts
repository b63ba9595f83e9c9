import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  SchemaBuilder,
  Schemas,
  type PartitionOffsets,
  type SinkRecord,
  type TopicPartition,
} from '@sluice/connect-api';
import { PostgresSinkConnector } from '../../../connectors/postgres/src/sink/index.js';
import { PostgresServer } from '../../support/postgres-server.js';
import { ReplyDroppingProxy } from '../../support/reply-dropping-proxy.js';
import { FakeSinkContext, putAndFlush, RecordFactory, startSinkTask } from './sink-test-kit.js';

let server: PostgresServer;
const DB = 'sinkeos';

beforeAll(async () => {
  server = await PostgresServer.start();
  await server.createDatabase(DB);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const q = <T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
  server.query<T>(sql, params, DB);

const value = SchemaBuilder.struct().field('n', Schemas.INT32).field('p', Schemas.INT32).build();
const partitions: TopicPartition[] = [
  { topic: 'ledger', partition: 0 },
  { topic: 'ledger', partition: 1 },
];

/** 300 records per partition: the log the runtime would deliver from. */
function ledger(): Map<number, SinkRecord[]> {
  const f = new RecordFactory('ledger');
  const log = new Map<number, SinkRecord[]>();
  for (const p of [0, 1])
    log.set(
      p,
      Array.from({ length: 300 }, (_, n) => f.record(null, { n, p }, { valueSchema: value, partition: p })),
    );
  return log;
}

function offsetsOf(log: Map<number, SinkRecord[]>, upTo: number): PartitionOffsets {
  const out: PartitionOffsets = new Map();
  for (const p of log.keys())
    out.set(`ledger:${p}`, { partition: { topic: 'ledger', partition: p }, offset: upTo });
  return out;
}

// insert mode without a key: a record written twice is a second row, so duplicates show
const config = (extra: Record<string, string> = {}): Record<string, string> => ({
  'connection.url': server.url(DB),
  topics: 'ledger',
  'auto.create': 'true',
  'insert.mode': 'insert',
  'exactly.once': 'true',
  'batch.size': '50',
  ...extra,
});

describe('postgres-sink exactly.once', () => {
  it('resumes from the offsets stored with the rows after a task dies without committing offsets', async () => {
    const log = ledger();
    // first life: 180 records of each partition put, interleaved, and flushed; preCommit returns
    // no offsets, so the group never commits any
    const first = await startSinkTask(config(), new FakeSinkContext('eos-sink'));
    await first.task.open(partitions);
    expect(first.context.rewinds).toEqual([]);
    for (let at = 0; at < 180; at += 60) {
      await first.task.put([...log.get(0)!.slice(at, at + 60), ...log.get(1)!.slice(at, at + 60)]);
    }
    await first.task.flush();
    expect((await first.task.preCommit(offsetsOf(log, 180))).size).toBe(0);
    // killed: no close (its connection just goes away)
    await first.task.stop();

    const second = await startSinkTask(config(), new FakeSinkContext('eos-sink'));
    await second.task.open(partitions);
    expect(second.context.rewinds).toEqual([
      { tp: partitions[0], offset: 180 },
      { tp: partitions[1], offset: 180 },
    ]);
    // the group never committed: the runtime delivers from 0 until the rewind takes effect
    await second.task.put([...log.get(0)!.slice(0, 100), ...log.get(1)!.slice(0, 100)]);
    for (let at = 180; at < 300; at += 60) {
      await second.task.put([...log.get(0)!.slice(at, at + 60), ...log.get(1)!.slice(at, at + 60)]);
    }
    await second.task.flush();
    expect((await second.task.preCommit(offsetsOf(log, 300))).size).toBe(0);
    await second.task.stop();

    const rows = await q<{ p: number; n: number }>('SELECT p, n FROM ledger ORDER BY p, n');
    expect(rows.length).toBe(600);
    for (const p of [0, 1])
      expect(rows.filter((r) => r.p === p).map((r) => r.n)).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(
      await q(
        `SELECT connector, topic, "partition", next_offset FROM __sluice_sink_offsets ORDER BY "partition"`,
      ),
    ).toEqual([
      { connector: 'eos-sink', topic: 'ledger', partition: 0, next_offset: '300' },
      { connector: 'eos-sink', topic: 'ledger', partition: 1, next_offset: '300' },
    ]);
    expect(second.task.skippedRecords.get('before start offset')).toBe(200);
  });

  it('refuses the writes of a second task behind the stored offsets: no row twice, offsets never back', async () => {
    const f = new RecordFactory('fenced');
    const records = Array.from({ length: 150 }, (_, n) =>
      f.record(null, { n, p: 0 }, { valueSchema: value }),
    );
    const settings = config({ topics: 'fenced', name: 'fenced-sink', 'retry.backoff.ms': '10' });
    const tp = { topic: 'fenced', partition: 0 };
    // a task that outlived its shutdown timeout, and the one started in its place
    const zombie = await startSinkTask(settings, new FakeSinkContext('fenced-sink'));
    const current = await startSinkTask(settings, new FakeSinkContext('fenced-sink'));
    await zombie.task.open([tp]);
    await current.task.open([tp]);
    await putAndFlush(current.task, records.slice(0, 100));
    // offsets set over REST meanwhile (stored without a topic ID) are checked all the same
    await new PostgresSinkConnector().alterOffsets(settings, [{ ...tp, offset: 100 }]);
    // the zombie's second batch waits behind its first, which is refused: both are behind
    await zombie.task.put(records.slice(0, 50));
    await zombie.task.put(records.slice(50, 100));
    await zombie.task.flush();
    await putAndFlush(zombie.task, records.slice(100, 120));
    await putAndFlush(current.task, records.slice(100, 150));
    await zombie.task.stop();
    await current.task.stop();
    const rows = await q<{ n: number }>('SELECT n FROM fenced ORDER BY n');
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 150 }, (_, n) => n));
    expect(await q(`SELECT next_offset FROM __sluice_sink_offsets WHERE connector = 'fenced-sink'`)).toEqual([
      { next_offset: '150' },
    ]);
  });

  it('writes a batch once when the answer to its COMMIT is lost and its retries ran out', async () => {
    const proxy = await ReplyDroppingProxy.start(server.port);
    try {
      const f = new RecordFactory('lost');
      const { task } = await startSinkTask(
        config({
          'connection.url': server.url(DB).replace(`:${server.port}/`, `:${proxy.port}/`),
          topics: 'lost',
          'max.retries': '0',
          'retry.backoff.ms': '10',
        }),
        new FakeSinkContext('lost-sink'),
      );
      await task.open([{ topic: 'lost', partition: 0 }]);
      proxy.dropNextCommitReply();
      // the COMMIT lands, its answer does not: the write fails with no retry left, and the flush
      // writes the batch again (the pipeline's own second try), finding it in the target
      await putAndFlush(
        task,
        [0, 1, 2, 3, 4].map((n) => f.record(null, { n, p: 0 }, { valueSchema: value })),
      );
      await putAndFlush(task, [f.record(null, { n: 5, p: 0 }, { valueSchema: value })]);
      await task.stop();
      expect((await q<{ n: number }>('SELECT n FROM lost ORDER BY n')).map((r) => r.n)).toEqual([
        0, 1, 2, 3, 4, 5,
      ]);
      expect(await q(`SELECT next_offset FROM __sluice_sink_offsets WHERE connector = 'lost-sink'`)).toEqual([
        { next_offset: '6' },
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('starts tasks together on a target that has no offsets table yet', async () => {
    for (let round = 0; round < 6; round++) {
      const started = await Promise.allSettled(
        [0, 1, 2, 3].map((i) =>
          startSinkTask(config({ 'offsets.table': `race_${round}` }), new FakeSinkContext(`race-${i}`)),
        ),
      );
      for (const s of started) if (s.status === 'fulfilled') await s.value.task.stop();
      expect(started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []))).toEqual([]);
    }
  });

  it('keeps offsets per connector, in a table of its choosing, and rolls them back with a failed batch', async () => {
    await q('CREATE SCHEMA meta');
    await q('CREATE TABLE guarded (n int CHECK (n < 5), p int)');
    const f = new RecordFactory('guarded');
    const { task, context } = await startSinkTask(
      config({ topics: 'guarded', 'offsets.table': 'meta.sink_offsets', 'auto.create': 'false' }),
      new FakeSinkContext('other-sink'),
    );
    context.tolerateErrors = false;
    await task.open([{ topic: 'guarded', partition: 0 }]);
    await putAndFlush(
      task,
      [1, 2].map((n) => f.record(null, { n, p: 0 }, { valueSchema: value })),
    );
    await expect(
      putAndFlush(
        task,
        [3, 9].map((n) => f.record(null, { n, p: 0 }, { valueSchema: value })),
      ),
    ).rejects.toThrow(/check constraint/);
    await task.stop();
    expect(await q('SELECT n FROM guarded ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await q(`SELECT connector, next_offset FROM meta.sink_offsets`)).toEqual([
      { connector: 'other-sink', next_offset: '2' },
    ]);
  });

  it('writes through a role a DBA granted only SELECT, INSERT and UPDATE on the offsets table made for it', async () => {
    await q(`CREATE ROLE eos_writer LOGIN PASSWORD 'eos-writer-pw'`);
    await q('CREATE TABLE granted (n int, p int)');
    // as a DBA makes it (see the README), owned by someone else
    await q(
      'CREATE TABLE granted_offsets (connector text NOT NULL, topic text NOT NULL, "partition" integer NOT NULL, next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), topic_id text, PRIMARY KEY (connector, topic, "partition"))',
    );
    await q('GRANT SELECT, INSERT, UPDATE ON granted, granted_offsets TO eos_writer');
    const f = new RecordFactory('granted');
    const { task } = await startSinkTask(
      config({
        'connection.url': server.url(DB, 'eos_writer', 'eos-writer-pw'),
        topics: 'granted',
        'offsets.table': 'granted_offsets',
        'auto.create': 'false',
      }),
      new FakeSinkContext('granted-sink'),
    );
    await task.open([{ topic: 'granted', partition: 0 }]);
    await putAndFlush(
      task,
      [1, 2].map((n) => f.record(null, { n, p: 0 }, { valueSchema: value })),
    );
    await task.stop();
    expect(await q('SELECT n FROM granted ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await q('SELECT connector, next_offset FROM granted_offsets')).toEqual([
      { connector: 'granted-sink', next_offset: '2' },
    ]);
  });

  it('closes the connection whose offsets table cannot be set up', async () => {
    const url = `${server.url(DB)}?application_name=eos-unset`;
    const started = await startSinkTask(
      config({ 'connection.url': url, 'offsets.table': 'no_such_schema.offsets' }),
      new FakeSinkContext('unset-sink'),
    ).then(
      (s) => s,
      (err: unknown) => err as Error,
    );
    if (!(started instanceof Error)) {
      await expect(started.task.open([{ topic: 'ledger', partition: 0 }])).rejects.toThrow(/no_such_schema/);
      await started.task.stop();
    }
    const open = async (): Promise<number> =>
      Number(
        (
          await q<{ n: string }>(
            `SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = 'eos-unset'`,
          )
        )[0]!.n,
      );
    const deadline = Date.now() + 3_000;
    while ((await open()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await open()).toBe(0);
  });

  it('takes offsets altered or reset over REST into its offsets table, which its tasks resume from', async () => {
    const f = new RecordFactory('altered');
    const tp = { topic: 'altered', partition: 0 };
    const settings = config({ topics: 'altered', name: 'alter-sink' });
    const first = await startSinkTask(settings, new FakeSinkContext('alter-sink'));
    await first.task.open([tp]);
    await putAndFlush(
      first.task,
      [0, 1, 2, 3].map((n) => f.record(null, { n, p: 0 }, { valueSchema: value })),
    );
    await first.task.stop();
    const connector = new PostgresSinkConnector();
    const other = { topic: 'other', partition: 2 };

    expect(
      await connector.alterOffsets(settings, [
        { ...tp, offset: 1 },
        { ...other, offset: 9 },
      ]),
    ).toBe(true);
    const rewound = await startSinkTask(settings, new FakeSinkContext('alter-sink'));
    await rewound.task.open([tp, other]);
    expect(rewound.context.rewinds).toEqual([
      { tp, offset: 1 },
      { tp: other, offset: 9 },
    ]);
    await rewound.task.stop();

    expect(await connector.alterOffsets(settings, [{ ...tp, offset: null }])).toBe(true);
    const reset = await startSinkTask(settings, new FakeSinkContext('alter-sink'));
    await reset.task.open([tp, other]);
    expect(reset.context.rewinds).toEqual([{ tp: other, offset: 9 }]);
    await reset.task.stop();

    expect(
      await connector.alterOffsets({ ...settings, 'exactly.once': 'false' }, [{ ...tp, offset: 0 }]),
    ).toBe(false);
  });

  it("reads a topic deleted and created again from its start: the stored offset is the old topic's", async () => {
    const tp = { topic: 'reborn', partition: 0 };
    const settings = config({ topics: 'reborn' });
    const contextFor = (topicId: string): FakeSinkContext => {
      const c = new FakeSinkContext('reborn-sink');
      c.topicIds.set('reborn', topicId);
      return c;
    };
    const old = new RecordFactory('reborn');
    const first = await startSinkTask(settings, contextFor('old-id'));
    await first.task.open([tp]);
    await putAndFlush(
      first.task,
      [0, 1, 2].map((n) => old.record(null, { n, p: 0 }, { valueSchema: value })),
    );
    await first.task.stop();

    // the new topic has more records than the old offset: a rewind to 3 would skip 0 to 2
    const fresh = new RecordFactory('reborn');
    const second = await startSinkTask(settings, contextFor('new-id'));
    await second.task.open([tp]);
    expect(second.context.rewinds).toEqual([]);
    expect(second.context.logger.warnings.join('\n')).toMatch(
      /topic reborn was deleted and created again since offset 3/,
    );
    await putAndFlush(
      second.task,
      [10, 11, 12, 13, 14].map((n) => fresh.record(null, { n, p: 0 }, { valueSchema: value })),
    );
    await second.task.stop();
    expect((await q<{ n: number }>('SELECT n FROM reborn ORDER BY n')).map((r) => r.n)).toEqual([
      0, 1, 2, 10, 11, 12, 13, 14,
    ]);
    expect(
      await q(`SELECT next_offset, topic_id FROM __sluice_sink_offsets WHERE connector = 'reborn-sink'`),
    ).toEqual([{ next_offset: '5', topic_id: 'new-id' }]);

    const third = await startSinkTask(settings, contextFor('new-id'));
    await third.task.open([tp]);
    expect(third.context.rewinds).toEqual([{ tp, offset: 5 }]);
    await third.task.stop();
  });

  it('returns the offsets it was given from preCommit without exactly.once', async () => {
    const { task } = await startSinkTask(config({ 'exactly.once': 'false', topics: 'plain' }));
    const given = offsetsOf(ledger(), 10);
    expect(await task.preCommit(given)).toBe(given);
    await task.stop();
  });
});
