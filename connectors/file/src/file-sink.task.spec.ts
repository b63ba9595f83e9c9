import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SchemaBuilder, Schemas, type PartitionOffsets, type TopicPartition } from '@sluice/connect-api';
import { FileSinkConnector } from './file-sink.connector.js';
import { FileSinkTask } from './file-sink.task.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { RecordingSinkContext, sinkRecord } from '@sluice/connect-api/testing';
import { tempDir } from './testing/temp-dir.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TP: TopicPartition = { topic: 'orders', partition: 0 };

async function workspace(): Promise<{ root: string; out: string }> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  return { root: dir, out: join(dir, 'out') };
}

async function startSink(
  root: string,
  settings: Record<string, string> = {},
  context = new RecordingSinkContext(),
): Promise<{ task: FileSinkTask; context: RecordingSinkContext }> {
  const task = new FileSinkTask();
  await task.start({ path: join(root, 'out'), 'worker.files.roots': root, ...settings }, context);
  return { task, context };
}

function offsets(...entries: [TopicPartition, number][]): PartitionOffsets {
  return new Map(entries.map(([tp, offset]) => [`${tp.topic}-${tp.partition}`, { partition: tp, offset }]));
}

const lines = async (path: string): Promise<string[]> =>
  (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');

/** The connector whose task holds TP's files in `out`, or null. */
async function claimant(out: string): Promise<string | null> {
  const text = await readFile(join(out, '.orders-0.jsonl.sluice-claim'), 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as { connector: string }).connector;
}

async function state(out: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(out, '.orders-0.jsonl.sluice-state'), 'utf8')) as Record<
    string,
    unknown
  >;
}

describe('FileSinkTask', () => {
  it('writes jsonl, one file per topic-partition, and skips tombstones', async () => {
    const { root, out } = await workspace();
    const { task } = await startSink(root);
    const other: TopicPartition = { topic: 'audit.log', partition: 3 };
    await task.open([TP, other]);
    const struct = SchemaBuilder.struct().field('id', Schemas.INT32).build();
    await task.put([
      sinkRecord('orders', 0, 0, { id: 1, tags: ['a'] }, { valueSchema: struct }),
      sinkRecord('orders', 0, 1, 'plain "text"'),
      sinkRecord('orders', 0, 2, null),
      sinkRecord('orders', 0, 3, 42),
      sinkRecord('orders', 0, 4, Buffer.from('bytes')),
      sinkRecord('audit.log', 3, 10, true),
      sinkRecord('orders', 0, 5, { big: 2n ** 64n, when: new Date(0) }),
      // the JSON text the converter read the value from is written as it is: exact numbers kept
      sinkRecord(
        'orders',
        0,
        6,
        { big: 2n ** 64n, price: 1.1 },
        { valueJson: '{"big":18446744073709551616,"price":1.10}' },
      ),
    ]);
    const committed = await task.preCommit(offsets([TP, 7], [other, 11]));
    expect([...committed.values()].map((v) => v.offset)).toEqual([7, 11]);
    expect(task.skippedTombstones).toBe(1);

    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual([
      '{"id":1,"tags":["a"]}',
      '"plain \\"text\\""',
      '42',
      '"Ynl0ZXM="',
      '{"big":18446744073709551616,"when":"1970-01-01T00:00:00.000Z"}',
      '{"big":18446744073709551616,"price":1.10}',
    ]);
    expect(await lines(join(out, 'audit.log-3.jsonl'))).toEqual(['true']);
    const state = JSON.parse(await readFile(join(out, '.orders-0.jsonl.sluice-state'), 'utf8')) as unknown;
    expect(state).toMatchObject({ version: 1, offset: 7, startOffset: 0, columns: null });
    await task.stop();
  });

  it('writes csv with a header from the first record and reports records that do not fit', async () => {
    const { root, out } = await workspace();
    const { task, context } = await startSink(root, { format: 'csv' });
    await task.open([TP]);
    await task.put([
      sinkRecord('orders', 0, 0, { id: 1, name: 'Smith, Jo', note: 'says "hi"' }),
      sinkRecord('orders', 0, 1, { id: 2, name: 'two\nlines' }),
      sinkRecord('orders', 0, 2, { id: 3, extra: 'x' }),
      sinkRecord('orders', 0, 3, 'not an object'),
      sinkRecord('orders', 0, 4, { id: 5, name: null, note: { nested: true } }),
    ]);
    await task.preCommit(offsets([TP, 5]));
    expect(await readFile(join(out, 'orders-0.csv'), 'utf8')).toBe(
      'id,name,note\n1,"Smith, Jo","says ""hi"""\n2,"two\nlines",\n5,,"{""nested"":true}"\n',
    );
    expect(context.reported.map((r) => [r.record.kafkaOffset, r.error.name, r.error.message])).toEqual([
      [2, 'DataError', expect.stringMatching(/outside the file's csv columns \(id, name, note\): extra/)],
      [3, 'DataError', expect.stringMatching(/csv needs object/)],
    ]);
    await task.stop();
  });

  it('fails the put when errors.tolerance is none', async () => {
    const { root, out } = await workspace();
    const { task } = await startSink(root, { format: 'csv' }, new RecordingSinkContext('none'));
    await task.open([TP]);
    await expect(task.put([sinkRecord('orders', 0, 0, [1, 2])])).rejects.toThrow(/csv needs object/);
    await task.stop();
    // the record that failed the task is not committed past: a restart meets it again
    const state = JSON.parse(await readFile(join(out, '.orders-0.csv.sluice-state'), 'utf8')) as {
      offset: number | null;
    };
    expect(state.offset ?? 0).toBe(0);
  });

  it('writes text lines: strings raw, bytes raw, the rest as JSON', async () => {
    const { root, out } = await workspace();
    const { task } = await startSink(root, { format: 'text' });
    await task.open([TP]);
    await task.put([
      sinkRecord('orders', 0, 0, 'hello "world"'),
      sinkRecord('orders', 0, 1, Buffer.from('raw')),
      sinkRecord('orders', 0, 2, { a: 1 }),
      sinkRecord('orders', 0, 3, 7),
    ]);
    await task.preCommit(offsets([TP, 4]));
    expect(await readFile(join(out, 'orders-0.txt'), 'utf8')).toBe('hello "world"\nraw\n{"a":1}\n7\n');
    await task.stop();
  });

  it('rolls by size at the next commit, which it requests', async () => {
    const { root, out } = await workspace();
    const { task, context } = await startSink(root, { format: 'csv', 'roll.size.bytes': '20' });
    await task.open([TP]);
    await task.put([sinkRecord('orders', 0, 0, { k: 'aaaa' }), sinkRecord('orders', 0, 1, { k: 'bbbb' })]);
    expect(context.commitRequests).toBe(0);
    await task.put([sinkRecord('orders', 0, 2, { k: 'cccc' }), sinkRecord('orders', 0, 3, { k: 'dddd' })]);
    expect(context.commitRequests).toBe(1);
    await task.preCommit(offsets([TP, 4]));
    await task.put([sinkRecord('orders', 0, 4, { k: 'eeee' })]);
    await task.preCommit(offsets([TP, 5]));

    const files = (await readdir(out)).filter((f) => !f.startsWith('.')).sort();
    expect(files).toEqual(['orders-0-00000000000000000000.csv', 'orders-0.csv']);
    expect(await readFile(join(out, 'orders-0-00000000000000000000.csv'), 'utf8')).toBe(
      'k\naaaa\nbbbb\ncccc\ndddd\n',
    );
    expect(await readFile(join(out, 'orders-0.csv'), 'utf8')).toBe('k\neeee\n');
    expect(JSON.parse(await readFile(join(out, '.orders-0.csv.sluice-state'), 'utf8'))).toMatchObject({
      offset: 5,
      startOffset: 4,
      position: 7,
      columns: ['k'],
    });
    await task.stop();
  });

  it('rolls by age', async () => {
    const { root, out } = await workspace();
    const { task } = await startSink(root, { 'roll.interval.ms': '50' });
    await task.open([TP]);
    await task.put([sinkRecord('orders', 0, 7, 'a')]);
    await task.preCommit(offsets([TP, 8]));
    expect((await readdir(out)).filter((f) => !f.startsWith('.'))).toEqual(['orders-0.jsonl']);
    await sleep(60);
    await task.preCommit(offsets([TP, 8]));
    expect((await readdir(out)).filter((f) => !f.startsWith('.'))).toEqual([
      'orders-0-00000000000000000007.jsonl',
    ]);
    await task.stop();
  });

  it('after a crash, cuts the file back to the last commit and resumes right after it', async () => {
    const { root, out } = await workspace();
    const fixture = join(here, 'testing', 'sink-crash.fixture.ts');
    const crashed = await promisify(execFile)(
      process.execPath,
      ['--conditions=@sluice/source', '--import', '@swc-node/register/esm-register', fixture, out, root],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.typecheck.json'),
        },
      },
    ).catch((err: { signal?: string }) => err);
    expect(crashed).toMatchObject({ signal: 'SIGKILL' });
    // The uncommitted lines did reach the file before the crash.
    expect(await lines(join(out, 'orders-0.jsonl'))).toHaveLength(5);
    // The dead task's claim stays: only its own connector, which cuts the file back, takes it.
    expect(await claimant(out)).toBe('sink-test');
    const other = await startSink(root, {}, new RecordingSinkContext('all', 'other'));
    await expect(other.task.open([TP])).rejects.toThrow(
      /\.orders-0\.jsonl\.sluice-claim belongs to file-sink connector "sink-test", not "other"/,
    );
    await other.task.stop();
    expect(await lines(join(out, 'orders-0.jsonl'))).toHaveLength(5);

    const { task, context } = await startSink(root);
    await task.open([TP]);
    expect(context.offsetRequests).toEqual([{ partition: TP, offset: 3 }]);
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    expect(context.logger.messages('info').join('\n')).toMatch(
      /taking the files over from an earlier task of this connector[^]*dropping output written after the last commit/,
    );

    // A put retried with the same records after a failure: what it wrote is not written again.
    await task.put([3, 4].map((n) => sinkRecord('orders', 0, n, { n })));
    await task.put([3, 4, 5].map((n) => sinkRecord('orders', 0, n, { n })));
    await task.preCommit(offsets([TP, 6]));
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual([0, 1, 2, 3, 4, 5].map((n) => `{"n":${n}}`));
    await task.stop();
  }, 20_000);

  it('finishes a roll whose state update a crash lost', async () => {
    const { root, out } = await workspace();
    const first = await startSink(root);
    await first.task.open([TP]);
    await first.task.put([sinkRecord('orders', 0, 0, 'a'), sinkRecord('orders', 0, 1, 'b')]);
    await first.task.preCommit(offsets([TP, 2]));
    await first.task.stop();
    // A crash right after the rename of a roll: the state still describes the old file.
    await rename(join(out, 'orders-0.jsonl'), join(out, 'orders-0-00000000000000000000.jsonl'));

    const { task, context } = await startSink(root);
    await task.open([TP]);
    expect(context.offsetRequests).toEqual([{ partition: TP, offset: 2 }]);
    expect(context.logger.messages('info').join('\n')).toMatch(/completing a roll/);
    await task.put([sinkRecord('orders', 0, 2, 'c')]);
    await task.preCommit(offsets([TP, 3]));
    expect(await lines(join(out, 'orders-0-00000000000000000000.jsonl'))).toEqual(['"a"', '"b"']);
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(['"c"']);
    await task.stop();
  });

  it('moves an output file without a state file aside (uncommitted here), never emptying it', async () => {
    const { root, out } = await workspace();
    const { task, context } = await startSink(root);
    await writeFile(join(out, 'orders-0.jsonl'), '"left over"\n');
    await task.open([TP]);
    expect(context.offsetRequests).toEqual([]);
    const aside = (await readdir(out)).filter((f) => f.startsWith('.orders-0.jsonl.unconfirmed-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(out, aside[0]!), 'utf8')).toBe('"left over"\n');
    await task.put([sinkRecord('orders', 0, 0, 'a')]);
    await task.preCommit(offsets([TP, 1]));
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(['"a"']);
    expect(context.logger.messages('warn').join('\n')).toMatch(/no state file.*moved aside/);
    await task.stop();
  });

  it('hands a partition over on close so the next owner, of any connector, continues after it', async () => {
    const { root, out } = await workspace();
    const first = await startSink(root);
    await first.task.open([TP]);
    expect(await claimant(out)).toBe('sink-test');
    await first.task.put([sinkRecord('orders', 0, 0, 'a'), sinkRecord('orders', 0, 1, null)]);
    await first.task.close([TP]);
    expect(await claimant(out)).toBeNull();
    expect(await state(out)).toMatchObject({ offset: 2 });

    const { task, context } = await startSink(root, {}, new RecordingSinkContext('all', 'other'));
    await task.open([TP]);
    expect(context.offsetRequests).toEqual([{ partition: TP, offset: 2 }]);
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(['"a"']);
    await task.stop();
    await first.task.stop();
  });

  it('writes a partition that restarted below its committed offset (the topic made again) from there', async () => {
    const { root, out } = await workspace();
    const first = await startSink(root);
    await first.task.open([TP]);
    await first.task.put([0, 1, 2].map((n) => sinkRecord('orders', 0, n, `old ${n}`)));
    await first.task.preCommit(offsets([TP, 3]));
    await first.task.stop();

    // the topic was deleted and created again: the seek to 3 fell back to its start
    const { task, context } = await startSink(root);
    await task.open([TP]);
    expect(context.offsetRequests).toEqual([{ partition: TP, offset: 3 }]);
    await task.put([0, 1].map((n) => sinkRecord('orders', 0, n, `new ${n}`)));
    await task.put([1].map((n) => sinkRecord('orders', 0, n, `new ${n}`))); // retried: not doubled
    expect(await task.preCommit(offsets([TP, 2]))).toEqual(offsets([TP, 2]));
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual([
      '"old 0"',
      '"old 1"',
      '"old 2"',
      '"new 0"',
      '"new 1"',
    ]);
    expect(context.logger.messages('warn').join('\n')).toMatch(
      /orders-0 resumed at offset 0, below the offset 3 committed .*created again or emptied/,
    );
    await task.stop();

    const again = await startSink(root);
    await again.task.open([TP]);
    expect(again.context.offsetRequests).toEqual([{ partition: TP, offset: 2 }]);
    await again.task.stop();
  });

  it('reads a topic deleted and created again from its start, however many records it has by then', async () => {
    const { root, out } = await workspace();
    const context = (topicId: string) => {
      const c = new RecordingSinkContext();
      c.topicIds.set('orders', topicId);
      return c;
    };
    const first = await startSink(root, {}, context('old-id'));
    await first.task.open([TP]);
    await first.task.put([0, 1, 2].map((n) => sinkRecord('orders', 0, n, `old ${n}`)));
    await first.task.preCommit(offsets([TP, 3]));
    await first.task.stop();

    // created again, with more records than the old offset: a seek to 3 would skip 0 to 2
    const second = await startSink(root, {}, context('new-id'));
    await second.task.open([TP]);
    expect(second.context.offsetRequests).toEqual([]);
    await second.task.put([0, 1, 2, 3, 4].map((n) => sinkRecord('orders', 0, n, `new ${n}`)));
    await second.task.preCommit(offsets([TP, 5]));
    await second.task.stop();
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual([
      ...[0, 1, 2].map((n) => `"old ${n}"`),
      ...[0, 1, 2, 3, 4].map((n) => `"new ${n}"`),
    ]);
    expect(second.context.logger.messages('warn').join('\n')).toMatch(
      /topic orders was deleted and created again since .*its offset 3 was for the old topic/,
    );

    const third = await startSink(root, {}, context('new-id'));
    await third.task.open([TP]);
    expect(third.context.offsetRequests).toEqual([{ partition: TP, offset: 5 }]);
    await third.task.stop();
  });

  it('takes offsets altered or reset over REST into its state files, which its tasks resume from', async () => {
    const { root, out } = await workspace();
    const first = await startSink(root);
    await first.task.open([TP]);
    await first.task.put([0, 1, 2, 3].map((n) => sinkRecord('orders', 0, n, n)));
    await first.task.preCommit(offsets([TP, 4]));
    await first.task.stop();
    const config = { path: out, 'worker.files.roots': root };
    const connector = new FileSinkConnector();
    const other = { topic: 'never', partition: 0, offset: 7 };

    expect(await connector.alterOffsets(config, [{ ...TP, offset: 1 }, other])).toBe(true);
    const rewound = await startSink(root);
    await rewound.task.open([TP]);
    expect(rewound.context.offsetRequests).toEqual([{ partition: TP, offset: 1 }]);
    await rewound.task.put([1, 2, 3].map((n) => sinkRecord('orders', 0, n, n)));
    await rewound.task.preCommit(offsets([TP, 4]));
    await rewound.task.stop();
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(['0', '1', '2', '3', '1', '2', '3']);
    expect(await readdir(out)).not.toContain('.never-0.jsonl.sluice-state');

    expect(await connector.alterOffsets(config, [{ ...TP, offset: null }])).toBe(true);
    const reset = await startSink(root);
    await reset.task.open([TP]);
    expect(reset.context.offsetRequests).toEqual([]);
    await reset.task.put([sinkRecord('orders', 0, 0, 'from the start')]);
    await reset.task.stop();
    expect((await lines(join(out, 'orders-0.jsonl'))).at(-1)).toBe('"from the start"');

    expect(await connector.alterOffsets(config, [other])).toBe(false);
    await expect(
      connector.alterOffsets({ path: '/etc', 'worker.files.roots': root }, [{ ...TP, offset: 0 }]),
    ).rejects.toMatchObject({ name: 'DataError', message: expect.stringMatching(/^path: /) });
  });

  it("refuses a topic-partition's files to a second connector while the first's task holds them, and after it died until it is deleted", async () => {
    const { root, out } = await workspace();
    const first = await startSink(root, {}, new RecordingSinkContext('all', 'first'));
    await first.task.open([TP]);
    const second = await startSink(root, {}, new RecordingSinkContext('all', 'second'));
    const refusal = /\.orders-0\.jsonl\.sluice-claim belongs to file-sink connector "first", not "second"/;
    await expect(second.task.open([TP])).rejects.toThrow(refusal);
    await second.task.open([{ topic: 'audit', partition: 0 }]); // other topics' files are its own
    await first.task.put([sinkRecord('orders', 0, 0, 'a'), sinkRecord('orders', 0, 1, 'b')]);
    await first.task.preCommit(offsets([TP, 2]));

    const connector = new FileSinkConnector();
    const config = (name: string) => ({ name, path: out, topics: 'orders', 'worker.files.roots': root });
    const refused = { errors: [{ field: 'path', messages: [expect.stringMatching(refusal)] }] };
    expect(await connector.validate(config('second'))).toEqual(refused);
    expect(await connector.validate({ ...config('second'), topics: 'audit' })).toEqual({ errors: [] });
    expect(await connector.validate(config('first'))).toEqual({ errors: [] });
    await expect(connector.alterOffsets(config('second'), [{ ...TP, offset: 0 }])).rejects.toThrow(refusal);
    await first.task.stop();
    await second.task.stop();

    // started again, its task claims the partition and dies without stopping: the claim stays
    await (await startSink(root, {}, new RecordingSinkContext('all', 'first'))).task.open([TP]);
    expect(await connector.validate(config('second'))).toEqual(refused);
    await connector.onDelete(config('second')); // not its files: nothing changes
    const refusedAgain = await startSink(root, {}, new RecordingSinkContext('all', 'second'));
    await expect(refusedAgain.task.open([TP])).rejects.toThrow(refusal);
    await refusedAgain.task.stop();
    await connector.onDelete(config('first'));
    expect(await claimant(out)).toBeNull();
    expect(await connector.validate(config('second'))).toEqual({ errors: [] });
    const next = await startSink(root, {}, new RecordingSinkContext('all', 'second'));
    await next.task.open([TP]);
    expect(next.context.offsetRequests).toEqual([{ partition: TP, offset: 2 }]);
    await next.task.put([sinkRecord('orders', 0, 2, 'c')]);
    await next.task.stop();
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(['"a"', '"b"', '"c"']);
    expect(await state(out)).toMatchObject({ offset: 3 });
    expect(await state(out)).not.toHaveProperty('connector');
  });

  it('gives its files up when its task stops, so the folder a path change left is free for another connector', async () => {
    const { root, out } = await workspace();
    const moved = join(root, 'moved');
    const first = await startSink(root, {}, new RecordingSinkContext('all', 'first'));
    await first.task.open([TP]);
    await first.task.put([sinkRecord('orders', 0, 0, 'a'), sinkRecord('orders', 0, 1, 'b')]);
    await first.task.preCommit(offsets([TP, 2]));
    await first.task.put([sinkRecord('orders', 0, 2, 'c')]);
    // a config update with a new path: the task is stopped and started again with the new config
    await first.task.stop();
    const moving = await startSink(root, { path: moved }, new RecordingSinkContext('all', 'first'));
    await moving.task.open([TP]);
    expect(await claimant(out)).toBeNull();
    expect(await claimant(moved)).toBe('first');

    const connector = new FileSinkConnector();
    const config = (name: string, path: string) => ({
      name,
      path,
      topics: 'orders',
      'worker.files.roots': root,
    });
    expect(await connector.validate(config('second', out))).toEqual({ errors: [] });
    expect(await connector.validate(config('second', moved))).toEqual({
      errors: [
        { field: 'path', messages: [expect.stringMatching(/belongs to file-sink connector "first"/)] },
      ],
    });
    const second = await startSink(root, {}, new RecordingSinkContext('all', 'second'));
    await second.task.open([TP]);
    expect(second.context.offsetRequests).toEqual([{ partition: TP, offset: 3 }]);
    await second.task.put([sinkRecord('orders', 0, 3, 'd')]);
    await second.task.stop();
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(['"a"', '"b"', '"c"', '"d"']);
    await moving.task.stop();
    expect(await connector.validate(config('second', moved))).toEqual({ errors: [] });
  });

  it('gives a released partition to exactly one of two connectors opening it at once; the other is refused, naming it', async () => {
    const { root, out } = await workspace();
    const first = await startSink(root, {}, new RecordingSinkContext('all', 'first'));
    await first.task.open([TP]);
    await first.task.put([sinkRecord('orders', 0, 0, 'first')]);
    await first.task.stop();

    const written = ['"first"'];
    for (let round = 1; round <= 5; round++) {
      const a = await startSink(root, {}, new RecordingSinkContext('all', 'a'));
      const b = await startSink(root, {}, new RecordingSinkContext('all', 'b'));
      const opened = await Promise.allSettled([a.task.open([TP]), b.task.open([TP])]);
      expect(opened.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const [winner, loser] = opened[0]!.status === 'fulfilled' ? [a, b] : [b, a];
      const refused = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
      expect((refused.reason as Error).message).toMatch(
        `belongs to file-sink connector "${winner.context.connector}", not "${loser.context.connector}"`,
      );
      expect(await claimant(out)).toBe(winner.context.connector);
      expect(winner.context.offsetRequests).toEqual([{ partition: TP, offset: round }]);
      await winner.task.put([sinkRecord('orders', 0, round, winner.context.connector)]);
      written.push(`"${winner.context.connector}"`);
      await a.task.stop();
      await b.task.stop();
      expect(await claimant(out)).toBeNull();
    }
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(written);
  });

  it("lets a task whose files another task of its connector took over neither commit nor give up the successor's claim", async () => {
    const { root, out } = await workspace();
    const stale = await startSink(root);
    await stale.task.open([TP]);
    await stale.task.put([sinkRecord('orders', 0, 0, 'a')]);
    await stale.task.preCommit(offsets([TP, 1]));
    // the group gave the partition to another task of the connector while this one still runs
    const successor = await startSink(root);
    await successor.task.open([TP]);
    expect(successor.context.offsetRequests).toEqual([{ partition: TP, offset: 1 }]);
    await successor.task.put([sinkRecord('orders', 0, 1, 'b')]);
    await successor.task.preCommit(offsets([TP, 2]));

    const takenOver =
      /no longer writes the files of orders-0: they were taken over by another task of file-sink connector "sink-test"/;
    await expect(stale.task.preCommit(offsets([TP, 7]))).rejects.toThrow(takenOver);
    await expect(stale.task.stop()).rejects.toThrow(takenOver);
    expect(await state(out)).toMatchObject({ offset: 2, position: 8 });
    expect(await claimant(out)).toBe('sink-test');

    await successor.task.put([sinkRecord('orders', 0, 2, 'c')]);
    await successor.task.preCommit(offsets([TP, 3]));
    await successor.task.stop();
    expect(await lines(join(out, 'orders-0.jsonl'))).toEqual(['"a"', '"b"', '"c"']);
    expect(await state(out)).toMatchObject({ offset: 3 });
    expect(await claimant(out)).toBeNull();
  });

  it('honours the claim an earlier version wrote into a state file until its connector opens the partition or is deleted', async () => {
    const { root, out } = await workspace();
    const c = await startSink(root, {}, new RecordingSinkContext('all', 'c'));
    const legacy = { version: 1, offset: 5, position: 0, startOffset: 5, createdAt: null, columns: null };
    await writeFile(
      join(out, '.orders-0.jsonl.sluice-state'),
      JSON.stringify({ ...legacy, connector: 'old' }),
    );
    await writeFile(
      join(out, '.orders-1.jsonl.sluice-state'),
      JSON.stringify({ ...legacy, connector: 'gone' }),
    );
    await writeFile(join(out, '.free-0.jsonl.sluice-state'), JSON.stringify(legacy));
    const refusal = /\.orders-0\.jsonl\.sluice-state belongs to file-sink connector "old", not "c"/;
    await expect(c.task.open([TP])).rejects.toThrow(refusal);
    expect(await claimant(out)).toBeNull(); // a refused open leaves no claim behind

    const connector = new FileSinkConnector();
    const config = (name: string) => ({ name, path: out, topics: 'orders', 'worker.files.roots': root });
    expect(await connector.validate(config('c'))).toEqual({
      errors: [
        { field: 'path', messages: [expect.stringMatching(refusal)] },
        { field: 'path', messages: [expect.stringMatching(/belongs to file-sink connector "gone"/)] },
      ],
    });
    await connector.onDelete(config('gone'));
    expect(await connector.validate(config('c'))).toEqual({
      errors: [{ field: 'path', messages: [expect.stringMatching(refusal)] }],
    });

    // a state file without a claim is taken as it is
    const free = { topic: 'free', partition: 0 };
    await c.task.open([free]);
    expect(c.context.offsetRequests).toEqual([{ partition: free, offset: 5 }]);
    expect(JSON.parse(await readFile(join(out, '.free-0.jsonl.sluice-state'), 'utf8'))).toEqual(legacy);
    await c.task.stop();

    // its owner opens the partition: the claim moves to a claim file, which goes when the task stops
    const old = await startSink(root, {}, new RecordingSinkContext('all', 'old'));
    await old.task.open([TP]);
    expect(await claimant(out)).toBe('old');
    expect(await state(out)).toEqual({ ...legacy, topicId: null });
    await old.task.stop();
    expect(await connector.validate(config('c'))).toEqual({ errors: [] });
  });

  it('refuses a path outside the roots and a symlink in place of an output file', async () => {
    const { root, out } = await workspace();
    const { dir: outside, cleanup } = await tempDir('sluice-outside-');
    cleanups.push(cleanup);
    const connector = new FileSinkConnector();
    expect((await connector.validate({ path: out, 'worker.files.roots': root })).errors).toEqual([]);
    expect((await connector.validate({ path: outside, 'worker.files.roots': root })).errors).toEqual([
      { field: 'path', messages: [expect.stringMatching(/outside the worker's file roots/)] },
    ]);
    // also beside other mistakes (the config class reports those), so all come back at once
    expect(
      (await connector.validate({ path: outside, format: 'xml', 'worker.files.roots': root })).errors,
    ).toEqual([{ field: 'path', messages: [expect.stringMatching(/outside the worker's file roots/)] }]);
    await expect(startSink(root, { path: join(root, '..') })).rejects.toThrow(
      /outside the worker's file roots/,
    );

    const { task } = await startSink(root);
    await symlink(join(outside, 'target'), join(out, 'orders-0.jsonl'));
    await expect(task.open([TP])).rejects.toThrow(/not a regular file/);
    await task.stop();
    expect(await readdir(outside)).toEqual([]);
  });

  it('follows no symlink in place of a state or claim file, and shows no file content in errors', async () => {
    const { root, out } = await workspace();
    const { dir: outside, cleanup } = await tempDir('sluice-outside-');
    cleanups.push(cleanup);
    await writeFile(join(outside, 'key.json'), '{"private_key":"SECRET-KEY"}');
    const { task } = await startSink(root);
    await mkdir(out, { recursive: true });
    for (const name of ['.orders-0.jsonl.sluice-state', '.orders-0.jsonl.sluice-claim']) {
      await symlink(join(outside, 'key.json'), join(out, name));
      const failure = await task.open([TP]).then(
        () => null,
        (err: Error) => err,
      );
      expect(failure?.message).toMatch(/is a symbolic link, which is not followed: remove it/);
      expect(String(failure?.stack) + JSON.stringify(failure)).not.toContain('SECRET');
      await unlink(join(out, name));
    }
    // a FIFO there does not hang the task
    await promisify(execFile)('mkfifo', [join(out, '.orders-0.jsonl.sluice-state')]);
    await expect(task.open([TP])).rejects.toThrow(/sink state file .* is not a regular file/);
    await unlink(join(out, '.orders-0.jsonl.sluice-state'));
    // a file of the wrong shape is named, not shown
    await writeFile(join(out, '.orders-0.jsonl.sluice-state'), '{"private_key":"SECRET-KEY"}');
    await expect(task.open([TP])).rejects.toThrow(/^sink state file .* has an unknown shape$/);
    await task.stop();
  });
});
