import { afterEach, describe, expect, it } from '@jest/globals';
import {
  appendFile,
  mkdir,
  open,
  readdir,
  rename,
  stat,
  symlink,
  truncate,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, type SourceRecord } from '@sluice/connect-api';
import { FileSourceConnector } from './file-source.connector.js';
import { FileSourceTask } from './file-source.task.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  MemoryOffsetStorage,
  pollUntil,
  sourceContext,
  type TestSourceContext,
} from '@sluice/connect-api/testing';
import { tempDir } from './testing/temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function workspace(): Promise<{ root: string; input: string }> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const input = join(dir, 'in');
  await mkdir(input);
  return { root: dir, input };
}

async function startTask(
  root: string,
  settings: Record<string, string>,
  storage = new MemoryOffsetStorage(),
): Promise<{ task: FileSourceTask; context: TestSourceContext; storage: MemoryOffsetStorage }> {
  const task = new FileSourceTask();
  const context = sourceContext(storage);
  await task.start(
    {
      path: join(root, 'in'),
      topic: 'lines',
      'poll.interval.ms': '50',
      'worker.files.roots': root,
      ...settings,
    },
    context,
  );
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    context.controller.abort();
    await task.stop();
  };
  cleanups.push(stop);
  return { task, context, storage };
}

const values = (records: SourceRecord[]): unknown[] => records.map((r) => r.value);

describe('FileSourceTask', () => {
  it('reads existing lines, then appends and new files, with the file name header', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'a.jsonl'), '{"n":1}\n{"n":2}\n');
    await writeFile(join(input, 'skip.txt'), 'not matched\n');
    const { task, storage } = await startTask(root, { glob: '*.jsonl', format: 'jsonl' });

    const first = await pollUntil(task, storage, (r) => r.length >= 2);
    expect(values(first)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(first[0]!.headers).toEqual([expect.objectContaining({ key: 'file.name', value: 'a.jsonl' })]);
    expect(first[0]!.topic).toBe('lines');
    const ino = (await stat(join(input, 'a.jsonl'), { bigint: true })).ino.toString();
    expect(first[1]!.sourcePartition).toEqual({ device: expect.any(String), inode: ino });
    expect(first[1]!.sourceOffset).toMatchObject({
      position: 16,
      line: 2,
      path: 'a.jsonl',
      fingerprintBytes: 16,
    });

    await appendFile(join(input, 'a.jsonl'), '{"n":3}\n');
    await mkdir(join(input, 'sub'));
    await writeFile(join(input, 'b.jsonl'), '"b1"\n');
    await writeFile(join(input, 'sub', 'c.jsonl'), '"below the glob depth"\n');
    const more = await pollUntil(task, storage, (r) => r.length >= 2);
    expect(values(more).sort()).toEqual(['b1', { n: 3 }].sort());
    await sleep(150);
    expect(await task.poll()).toEqual([]);
  });

  it('closes a file whose resume failed before retrying it: no descriptor left behind', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'a.txt'), 'one\n');
    const storage = new MemoryOffsetStorage();
    const offset = storage.offset.bind(storage);
    let failures = 0;
    storage.offset = async (partition) => {
      if (failures++ < 6) throw new Error('the offset store is not answering');
      return offset(partition);
    };
    const descriptors = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
    const { task } = await startTask(root, {}, storage);
    const before = await descriptors();
    const records = await pollUntil(task, storage, (r) => r.length >= 1);
    expect(values(records)).toEqual(['one']);
    expect(failures).toBeGreaterThan(6);
    // the file being read holds one
    expect(await descriptors()).toBeLessThanOrEqual(before + 1);
  });

  it('waits for the newline of a partial last line', async () => {
    const { root, input } = await workspace();
    const file = join(input, 'log.txt');
    await writeFile(file, 'one\ntw');
    const { task, storage } = await startTask(root, {});
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual(['one']);
    expect(await task.poll()).toEqual([]);
    await appendFile(file, 'o\r\nthree\n\n');
    const rest = await pollUntil(task, storage, (r) => r.length >= 3);
    expect(values(rest)).toEqual(['two', 'three', '']);
    expect(rest[0]!.valueSchema).toMatchObject({ type: 'string' });
  });

  it('parses csv with quoted commas, quotes and line breaks into structs', async () => {
    const { root, input } = await workspace();
    await writeFile(
      join(input, 'people.csv'),
      '\ufeffid,name,note\r\n1,"Smith, Jo","says ""hi"""\r\n\r\n2,Ann,"two\nlines"\n3,Bo\n',
    );
    const { task, storage } = await startTask(root, { glob: '*.csv', format: 'csv', 'key.field': 'id' });
    const records = await pollUntil(task, storage, (r) => r.length >= 3);
    expect(values(records)).toEqual([
      { id: '1', name: 'Smith, Jo', note: 'says "hi"' },
      { id: '2', name: 'Ann', note: 'two\nlines' },
      { id: '3', name: 'Bo', note: null },
    ]);
    expect(records.map((r) => r.key)).toEqual(['1', '2', '3']);
    expect(records[0]!.valueSchema).toMatchObject({
      type: 'struct',
      fields: [
        { name: 'id', schema: { type: 'string', optional: true } },
        { name: 'name', schema: { type: 'string', optional: true } },
        { name: 'note', schema: { type: 'string', optional: true } },
      ],
    });
    expect(records[1]!.sourceOffset).toMatchObject({ line: 5 });

    await appendFile(join(input, 'people.csv'), '4,"bad"x,z\n5,Eve,\n');
    await expect(pollUntil(task, storage, () => false)).rejects.toThrow(
      /people\.csv line 7: invalid csv row/,
    );
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual([
      { id: '5', name: 'Eve', note: '' },
    ]);
  });

  it('reports invalid JSON as a DataError naming file and line, after handing out the lines before it', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'e.jsonl'), '{"ok":1}\n{broken\n\n{"ok":3}\n');
    const { task, storage } = await startTask(root, { glob: '*.jsonl', format: 'jsonl' });
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual([{ ok: 1 }]);
    const err = await task.poll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^e\.jsonl line 2: invalid JSON/);
    // errors.tolerance=all: the runtime polls on and the bad line stays skipped.
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual([{ ok: 3 }]);
  });

  it('takes the key from key.field of jsonl objects', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'k.jsonl'), '{"id":7,"v":"a"}\n{"v":"b"}\n[1]\n');
    const { task, storage } = await startTask(root, { glob: '*.jsonl', format: 'jsonl', 'key.field': 'id' });
    const records = await pollUntil(task, storage, (r) => r.length >= 3);
    expect(records.map((r) => r.key)).toEqual([7, null, null]);
    expect(records[0]!.valueSchema).toBeNull();
  });

  it('gives each compact jsonl line as its value JSON text, to be stored as it is', async () => {
    const { root, input } = await workspace();
    await writeFile(
      join(input, 'j.jsonl'),
      '{"price":1.10}\r\n  {"a": [1, 2]}\n"s"\n{"id":12345678901234567890}\n',
    );
    const { task, storage } = await startTask(root, { glob: '*.jsonl', format: 'jsonl' });
    const records = await pollUntil(task, storage, (r) => r.length >= 4);
    expect(records.map((r) => [r.value, r.valueJson])).toEqual([
      [{ price: 1.1 }, '{"price":1.10}'],
      [{ a: [1, 2] }, undefined],
      ['s', '"s"'],
      // integers past 2^53 stay exact in the value as in the text
      [{ id: 12345678901234567890n }, '{"id":12345678901234567890}'],
    ]);
  });

  it('resumes a csv file that starts with a byte order mark and a blank line', async () => {
    const { root, input } = await workspace();
    const file = join(input, 'bom.csv');
    await writeFile(file, '\ufeff\nid,name\n1,a\n');
    const storage = new MemoryOffsetStorage();
    const first = await startTask(root, { glob: '*.csv', format: 'csv' }, storage);
    expect(values(await pollUntil(first.task, storage, (r) => r.length >= 1))).toEqual([
      { id: '1', name: 'a' },
    ]);
    await first.task.stop();
    await appendFile(file, '2,b\n');
    const second = await startTask(root, { glob: '*.csv', format: 'csv' }, storage);
    expect(values(await pollUntil(second.task, storage, (r) => r.length >= 1))).toEqual([
      { id: '2', name: 'b' },
    ]);
  });

  it('skips a csv file whose header row is unusable, after reporting it', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'bad.csv'), 'a,b,a\n1,2,3\n');
    const { task, storage } = await startTask(root, { glob: '*.csv', format: 'csv' });
    await expect(task.poll()).rejects.toThrow(/bad\.csv line 1: the header row names column "a" twice/);
    await writeFile(join(input, 'good.csv'), 'a\n1\n');
    await appendFile(join(input, 'bad.csv'), '4,5,6\n');
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual([{ a: '1' }]);
    await sleep(100);
    expect(await task.poll()).toEqual([]);
  });

  it('reads a corrected file put where a rejected one was, even in its inode', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'bad.csv'), 'id,id\n1,2\n');
    const { task, storage } = await startTask(root, { glob: '*.csv', format: 'csv' });
    await expect(task.poll()).rejects.toThrow(/names column "id" twice/);
    // ext4 and tmpfs give the new file the inode just freed: the case that was never read
    await unlink(join(input, 'bad.csv'));
    await writeFile(join(input, 'bad.csv'), 'id,name\n1,x\n');
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual([{ id: '1', name: 'x' }]);
  });

  it('reads a rejected csv file again once its header is fixed in place, at the same size', async () => {
    const { root, input } = await workspace();
    const path = join(input, 'bad.csv');
    await writeFile(path, 'id,id\n1,2\n');
    const { task, storage } = await startTask(root, { glob: '*.csv', format: 'csv' });
    await expect(task.poll()).rejects.toThrow(/names column "id" twice/);
    // appended rows leave it rejected, without a second report
    await appendFile(path, '3,4\n');
    await sleep(150);
    expect(await task.poll()).toEqual([]);
    // the same file (inode, birth, size) with its header mended
    const handle = await open(path, 'r+');
    await handle.write('id,nm', 0);
    await handle.close();
    expect(values(await pollUntil(task, storage, (r) => r.length >= 2))).toEqual([
      { id: '1', nm: '2' },
      { id: '3', nm: '4' },
    ]);
  });

  it('reports a line longer than max.line.bytes without holding it', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'big.txt'), `${'x'.repeat(5000)}\nsmall\n`);
    const { task, storage } = await startTask(root, { 'max.line.bytes': '1024' });
    await expect(task.poll()).rejects.toThrow(/big\.txt line 1: the line is 5001 bytes/);
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual(['small']);
  });

  it('resumes right after the last committed line on restart, also under a new name', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'a.txt'), 'l1\nl2\nl3\n');
    const storage = new MemoryOffsetStorage();
    const first = await startTask(root, {}, storage);
    const read: SourceRecord[] = [];
    while (read.length < 3) read.push(...(await first.task.poll()));
    // Only the first two records became durable before the crash.
    storage.commit(read.slice(0, 2));
    first.context.controller.abort();
    await first.task.stop();

    await rename(join(input, 'a.txt'), join(input, 'b.txt'));
    await appendFile(join(input, 'b.txt'), 'l4\n');
    const second = await startTask(root, {}, storage);
    const records = await pollUntil(second.task, storage, (r) => r.length >= 2);
    expect(values(records)).toEqual(['l3', 'l4']);
    expect(records[0]!.headers[0]!.value).toBe('b.txt');
    expect(records[0]!.sourcePartition).toEqual(read[0]!.sourcePartition);
    expect(records[1]!.sourceOffset).toMatchObject({ position: 12, line: 4 });
  });

  it('reads from the start when the committed offset belongs to another file with the same inode', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'a.txt'), 'fresh\n');
    const ino = (await stat(join(input, 'a.txt'), { bigint: true })).ino.toString();
    const dev = (await stat(join(input, 'a.txt'), { bigint: true })).dev.toString();
    const storage = new MemoryOffsetStorage();
    storage.put(
      { device: dev, inode: ino },
      { position: 3, line: 1, fingerprint: 'f00', fingerprintBytes: 3 },
    );
    const { task, context } = await startTask(root, {}, storage);
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual(['fresh']);
    expect(context.logger.messages('warn').join('\n')).toMatch(/reuses the inode of one read before/);
  });

  it('takes an offset moved back by hand (position and line only, as alterOffsets checks it) and reads on from there', async () => {
    const { root, input } = await workspace();
    const lines = Array.from({ length: 100 }, (_, i) => `line-${String(i).padStart(20, '0')}`);
    await writeFile(join(input, 'a.txt'), lines.map((l) => `${l}\n`).join(''));
    const storage = new MemoryOffsetStorage();
    const first = await startTask(root, {}, storage);
    const read = await pollUntil(first.task, storage, (r) => r.length >= 100);
    first.context.controller.abort();
    await first.task.stop();
    const last = read[99]!;
    expect(last.sourceOffset).toMatchObject({ position: 2600, fingerprintBytes: 1024 });

    const connector = new FileSourceConnector();
    const config = { path: input, topic: 'lines', 'worker.files.roots': root };
    // below the 1 KiB the fingerprint covers
    const back = { ...last.sourceOffset, position: 26 * 10, line: 10 };
    expect(await connector.alterOffsets(config, [{ partition: last.sourcePartition, offset: back }])).toBe(
      true,
    );
    await expect(
      connector.alterOffsets(config, [
        { partition: last.sourcePartition, offset: { ...back, fingerprint: 'f'.repeat(32) } },
        { partition: last.sourcePartition, offset: { ...back, path: '../../etc/passwd' } },
      ]),
    ).rejects.toThrow(
      /offset 0: the fingerprint does not match the first 1024 bytes of a.txt.*offset 1: path "..\/..\/etc\/passwd" is outside the connector's folder/,
    );
    storage.put(last.sourcePartition, back);
    const second = await startTask(root, {}, storage);
    const again = await pollUntil(second.task, storage, (r) => r.length >= 90);
    expect(values(again)).toEqual(lines.slice(10));
    expect(again[89]!.sourceOffset).toMatchObject({
      position: 2600,
      line: 100,
      fingerprint: last.sourceOffset['fingerprint'],
    });
  });

  it('follows rotation: the renamed file is read to its end before the new one', async () => {
    const { root, input } = await workspace();
    const log = join(input, 'app.log');
    await writeFile(log, 'old1\n');
    const { task, storage } = await startTask(root, { glob: 'app.log', 'finished.idle.ms': '300' });
    const before = await pollUntil(task, storage, (r) => r.length >= 1);

    await appendFile(log, 'old2\n');
    await rename(log, join(input, 'app.log.1'));
    await writeFile(log, 'new1\n');
    // The writer still holds the old file and appends a last line after the rename.
    await appendFile(join(input, 'app.log.1'), 'old3\n');
    const after = await pollUntil(task, storage, (r) => r.length >= 3);
    expect(values(after)).toEqual(['old2', 'old3', 'new1']);
    expect(after[0]!.sourcePartition).toEqual(before[0]!.sourcePartition);
    expect(after[2]!.sourcePartition).not.toEqual(before[0]!.sourcePartition);
    expect(after[2]!.sourceOffset).toMatchObject({ position: 5, line: 1 });
  });

  it('keeps its place in a file renamed while it is read', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'a.txt'), 'one\n');
    const { task, storage } = await startTask(root, {});
    const before = await pollUntil(task, storage, (r) => r.length >= 1);
    await rename(join(input, 'a.txt'), join(input, 'b.txt'));
    // Let the watcher report the rename before the next line arrives.
    await sleep(200);
    expect(await task.poll()).toEqual([]);
    await appendFile(join(input, 'b.txt'), 'two\n');
    const after = await pollUntil(task, storage, (r) => r.length >= 1);
    expect(values(after)).toEqual(['two']);
    expect(after[0]!.headers[0]!.value).toBe('b.txt');
    expect(after[0]!.sourcePartition).toEqual(before[0]!.sourcePartition);
    await sleep(100);
    expect(await task.poll()).toEqual([]);
  });

  it('starts over with a warning when a file is truncated', async () => {
    const { root, input } = await workspace();
    const file = join(input, 't.txt');
    await writeFile(file, 'aaaa\nbbbb\n');
    const { task, storage, context } = await startTask(root, {});
    await pollUntil(task, storage, (r) => r.length >= 2);
    await truncate(file, 0);
    await appendFile(file, 'c\n');
    const records = await pollUntil(task, storage, (r) => r.length >= 1);
    expect(values(records)).toEqual(['c']);
    expect(records[0]!.sourceOffset).toMatchObject({ position: 2, line: 1 });
    expect(context.logger.messages('warn').join('\n')).toMatch(/truncated or rewritten/);
  });

  it('starts over when the committed offset lies beyond the end of the file', async () => {
    const { root, input } = await workspace();
    await writeFile(join(input, 'a.txt'), 'x1\nx2\nx3\n');
    const storage = new MemoryOffsetStorage();
    const first = await startTask(root, {}, storage);
    await pollUntil(first.task, storage, (r) => r.length >= 3);
    first.context.controller.abort();
    await first.task.stop();
    await truncate(join(input, 'a.txt'), 0);
    await appendFile(join(input, 'a.txt'), 'y\n');
    const second = await startTask(root, {}, storage);
    expect(values(await pollUntil(second.task, storage, (r) => r.length >= 1))).toEqual(['y']);
    expect(second.context.logger.messages('warn').join('\n')).toMatch(/shorter than its committed offset/);
  });

  it('moves finished files (not the newest) once their records are durable', async () => {
    const { root, input } = await workspace();
    // Inside the watched folder and matched by the glob: it must still not be read again.
    const done = join(input, 'done');
    await writeFile(join(input, 'old.txt'), '1\n2');
    await writeFile(join(input, 'new.txt'), 'n\n');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(input, 'old.txt'), past, past);
    const { task, storage } = await startTask(root, {
      glob: '**/*.txt',
      'finished.path': done,
      'finished.idle.ms': '100',
    });
    // The last line of the quiet file has no newline: it is taken as it is before the move.
    const records = await pollUntil(task, storage, (r) => r.length >= 3);
    expect(values(records).sort()).toEqual(['1', '2', 'n']);
    const deadline = Date.now() + 5000;
    while ((await readdir(input)).includes('old.txt') && Date.now() < deadline) {
      await task.poll();
    }
    expect((await readdir(input)).sort()).toEqual(['done', 'new.txt']);
    expect(await readdir(done)).toEqual(['old.txt']);
    await sleep(200);
    expect(await task.poll()).toEqual([]);
  });

  /**
   * A finished file (sub/a.log, old and quiet) whose move is refused: finished.path holds a
   * symbolic link, sub, to a folder outside it. Polled until the task has read both files.
   */
  async function finishedFileBehindLink() {
    const { root, input } = await workspace();
    const { dir: outside, cleanup } = await tempDir('sluice-outside-');
    cleanups.push(cleanup);
    const done = join(root, 'done');
    await mkdir(done);
    await symlink(outside, join(done, 'sub'));
    await mkdir(join(input, 'sub'));
    await writeFile(join(input, 'sub', 'a.log'), '1\n');
    await writeFile(join(input, 'new.log'), 'n\n');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(input, 'sub', 'a.log'), past, past);
    const started = await startTask(root, {
      glob: '**/*.log',
      'finished.path': done,
      'finished.idle.ms': '50',
    });
    await pollUntil(started.task, started.storage, (r) => r.length >= 2);
    return { ...started, input, done, outside };
  }

  it('moves no finished file out through a symbolic link below finished.path', async () => {
    const { task, context, input, outside } = await finishedFileBehindLink();
    const deadline = Date.now() + 3000;
    while (
      !context.logger.messages('warn').some((m) => /cannot move finished file/.test(m)) &&
      Date.now() < deadline
    )
      await task.poll();
    expect(await readdir(outside)).toEqual([]);
    expect(await readdir(join(input, 'sub'))).toEqual(['a.log']);
  });

  it('says once that a finished file cannot be moved, and tries again later, not at every poll', async () => {
    const { task, context, input, done } = await finishedFileBehindLink();
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      await task.poll();
      await sleep(20);
    }
    const warnings = context.logger.messages('warn').filter((m) => /cannot move finished file/.test(m));
    expect(warnings).toHaveLength(1);
    expect(await readdir(join(input, 'sub'))).toEqual(['a.log']);
    // once the link is gone, a later try moves it
    await unlink(join(done, 'sub'));
    const deadline = Date.now() + 5000;
    while ((await readdir(join(input, 'sub'))).length > 0 && Date.now() < deadline) {
      await task.poll();
      await sleep(50);
    }
    expect(await readdir(join(done, 'sub'))).toEqual(['a.log']);
  });

  it('shares files between tasks by file identity', async () => {
    const { root, input } = await workspace();
    for (let i = 0; i < 8; i++) await writeFile(join(input, `f${i}.txt`), `line-${i}\n`);
    const storage = new MemoryOffsetStorage();
    const shared = { 'task.count': '2' };
    const a = await startTask(root, { ...shared, 'task.index': '0' }, storage);
    const b = await startTask(root, { ...shared, 'task.index': '1' }, storage);
    const got: SourceRecord[] = [];
    const deadline = Date.now() + 5000;
    while (got.length < 8 && Date.now() < deadline) {
      got.push(...(await a.task.poll()), ...(await b.task.poll()));
    }
    expect(values(got).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `line-${i}`));
  });

  it('refuses paths outside the worker file roots', async () => {
    const { root, input } = await workspace();
    const { dir: outside, cleanup } = await tempDir('sluice-outside-');
    cleanups.push(cleanup);
    await symlink(outside, join(root, 'escape'));
    const connector = new FileSourceConnector();
    const base = { topic: 't', 'worker.files.roots': root };

    expect((await connector.validate({ ...base, path: input })).errors).toEqual([]);
    const outsideErrors = (await connector.validate({ ...base, path: outside })).errors;
    expect(outsideErrors.map((e) => e.field)).toEqual(['path']);
    expect(outsideErrors[0]!.messages[0]).toMatch(/outside the worker's file roots/);
    // also beside other mistakes (the config class reports those), so all come back at once
    const alongside = (await connector.validate({ ...base, topic: '', path: outside })).errors;
    expect(alongside.map((e) => e.field)).toEqual(['path']);
    expect((await connector.validate({ ...base, path: join(root, 'escape') })).errors[0]).toMatchObject({
      field: 'path',
    });
    expect((await connector.validate({ ...base, path: join(input, '..', '..') })).errors[0]!.field).toBe(
      'path',
    );
    expect(
      (await connector.validate({ ...base, path: input, 'finished.path': join(outside, 'done') })).errors,
    ).toEqual([expect.objectContaining({ field: 'finished.path' })]);
    expect((await connector.validate({ topic: 't', path: input })).errors[0]!.messages[0]).toMatch(
      /allows no file access: set files.roots/,
    );
    expect((await connector.validate({ ...base, path: join(root, 'missing') })).errors).toEqual([]);
    expect((await connector.validate({ ...base, path: input, glob: '[z-a]' })).errors[0]!.field).toBe('glob');
    await writeFile(join(root, 'plain-file'), '');
    expect(
      (await connector.validate({ ...base, path: join(root, 'plain-file') })).errors[0]!.messages[0],
    ).toMatch(/is not a directory/);

    await expect(startTask(root, { path: outside })).rejects.toThrow(/outside the worker's file roots/);

    // A symlinked file inside the directory must not lead outside either.
    await writeFile(join(outside, 'secret.txt'), 'secret\n');
    await symlink(join(outside, 'secret.txt'), join(input, 'link.txt'));
    await writeFile(join(input, 'plain.txt'), 'plain\n');
    const { task, storage, context } = await startTask(root, {});
    expect(values(await pollUntil(task, storage, (r) => r.length >= 1))).toEqual(['plain']);
    await sleep(100);
    expect(await task.poll()).toEqual([]);
    expect(context.logger.messages('warn').join('\n')).toMatch(/outside the worker file roots/);
  });
});

describe('FileSourceConnector', () => {
  it('divides files between tasks by index', async () => {
    const { root, input } = await workspace();
    const connector = new FileSourceConnector();
    const logger = sourceContext(new MemoryOffsetStorage()).logger;
    await connector.start(
      { path: input, topic: 't', 'worker.files.roots': root },
      { name: 'c', logger, requestTaskReconfiguration: () => {}, raiseError: () => {} },
    );
    const configs = await connector.taskConfigs(3);
    expect(configs.map((c) => [c['task.index'], c['task.count'], c.path])).toEqual([
      ['0', '3', input],
      ['1', '3', input],
      ['2', '3', input],
    ]);
  });
});
