import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { parseTopicConfig } from '../../topics/topic-config.js';
import {
  appendBatch,
  decodeBatches,
  readAll,
  recordingLogger,
  tempDir,
  values,
} from '../../testing/log-test-support.js';
import { FileLogStorage, type FileLogStorageOptions } from './file-log-storage.js';

const open: FileLogStorage[] = [];

async function openStorage(
  options: Partial<FileLogStorageOptions> & { dir: string },
): Promise<FileLogStorage> {
  const storage = new FileLogStorage({ cleanerIntervalMs: 0, logger: recordingLogger().logger, ...options });
  await storage.open();
  open.push(storage);
  return storage;
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('FileLogStorage', () => {
  it('assigns contiguous offsets across batches and reads them back in order', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic('events', 2, parseTopicConfig());
    expect(await appendBatch(storage, 'events', 0, ['a', 'b', 'c'])).toEqual({
      baseOffset: 0,
      lastOffset: 2,
    });
    expect(await appendBatch(storage, 'events', 0, ['d'])).toEqual({ baseOffset: 3, lastOffset: 3 });
    expect(await appendBatch(storage, 'events', 1, ['x'])).toEqual({ baseOffset: 0, lastOffset: 0 });
    expect(values(await readAll(storage, 'events', 0))).toEqual(['a', 'b', 'c', 'd']);
    expect(values(await readAll(storage, 'events', 0, 1))).toEqual(['b', 'c', 'd']);
    expect(await storage.offsets('events', 0)).toEqual({ startOffset: 0, endOffset: 4 });
  });

  it('returns concurrent appends in call order, sharing syncs', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic('t', 1, parseTopicConfig());
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => appendBatch(storage, 't', 0, [`v${i}`, `w${i}`])),
    );
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    const all = await readAll(storage, 't', 0);
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(values(all).slice(0, 4)).toEqual(['v0', 'w0', 'v1', 'w1']);
  });

  it('answers fetches past the end with OFFSET_OUT_OF_RANGE naming the valid range', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic('t', 1, parseTopicConfig());
    await appendBatch(storage, 't', 0, ['a']);
    await expect(storage.fetch('t', 0, { offset: 5, maxBytes: 1000 })).rejects.toMatchObject({
      code: 'OFFSET_OUT_OF_RANGE',
      message: expect.stringContaining('valid offsets are 0 to 1'),
    });
    expect((await storage.fetch('t', 0, { offset: 1, maxBytes: 1000 })).batches.length).toBe(0);
  });

  it('always returns at least one whole batch, even one larger than maxBytes', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic('t', 1, parseTopicConfig());
    await appendBatch(storage, 't', 0, ['x'.repeat(5000)]);
    await appendBatch(storage, 't', 0, ['y']);
    const { batches } = await storage.fetch('t', 0, { offset: 0, maxBytes: 100 });
    expect(values(decodeBatches(batches))).toEqual(['x'.repeat(5000)]);
  });

  it('long-polls: a fetch at the end waits for the next append, or for its timeout, or its abort', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic('t', 1, parseTopicConfig());
    const waiting = storage.fetch('t', 0, { offset: 0, maxBytes: 1000, maxWaitMs: 10_000 });
    setTimeout(() => void appendBatch(storage, 't', 0, ['late']), 50);
    expect(values(decodeBatches((await waiting).batches))).toEqual(['late']);

    const started = Date.now();
    const timedOut = await storage.fetch('t', 0, { offset: 1, maxBytes: 1000, maxWaitMs: 100 });
    expect(timedOut.batches.length).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);

    const controller = new AbortController();
    const aborted = storage.fetch('t', 0, {
      offset: 1,
      maxBytes: 1000,
      maxWaitMs: 60_000,
      signal: controller.signal,
    });
    controller.abort();
    expect((await aborted).batches.length).toBe(0);
  });

  it('rolls segments by size and finds every offset through the sparse index', async () => {
    const dir = tempDir();
    const storage = await openStorage({ dir });
    await storage.createTopic(
      't',
      1,
      parseTopicConfig({ 'segment.bytes': 2000, 'index.interval.bytes': 300 }),
    );
    for (let i = 0; i < 100; i++) await appendBatch(storage, 't', 0, [`value-${i}-${'p'.repeat(40)}`]);
    const { partitions } = await storage.describeTopic('t');
    expect(partitions[0]!.segments).toBeGreaterThan(3);
    const files = fs.readdirSync(path.join(dir, 't', '0'));
    expect(files.filter((f) => f.endsWith('.log')).length).toBe(partitions[0]!.segments);
    expect(files).toContain('00000000000000000000.index');
    for (const offset of [0, 1, 17, 33, 50, 98, 99]) {
      const { batches } = await storage.fetch('t', 0, { offset, maxBytes: 1 });
      expect(decodeBatches(batches, offset)[0]!.value!.toString()).toBe(`value-${offset}-${'p'.repeat(40)}`);
    }
  });

  it('rolls segments by age (segment.ms)', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic('t', 1, parseTopicConfig({ 'segment.ms': 30 }));
    await appendBatch(storage, 't', 0, ['a']);
    await new Promise((r) => setTimeout(r, 50));
    await appendBatch(storage, 't', 0, ['b']);
    expect((await storage.describeTopic('t')).partitions[0]!.segments).toBe(2);
  });

  it('rolls by age counted from the first append, across a restart', async () => {
    const dir = tempDir();
    const first = await openStorage({ dir });
    await first.createTopic('t', 1, parseTopicConfig({ 'segment.ms': 100 }));
    await appendBatch(first, 't', 0, ['a']);
    await first.close();
    await new Promise((r) => setTimeout(r, 150));
    const second = await openStorage({ dir });
    await appendBatch(second, 't', 0, ['b']);
    expect((await second.describeTopic('t')).partitions[0]!.segments).toBe(2);
  });

  it('finds the first offset at or after a timestamp', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic(
      't',
      1,
      parseTopicConfig({ 'segment.bytes': 500, 'index.interval.bytes': 100 }),
    );
    for (let i = 0; i < 50; i++) {
      await appendBatch(storage, 't', 0, [
        { value: `a${i}`, timestamp: 1000 + i * 10 },
        { value: `b${i}`, timestamp: 1005 + i * 10 },
      ]);
    }
    expect(await storage.offsetForTimestamp('t', 0, 0)).toBe(0);
    expect(await storage.offsetForTimestamp('t', 0, 1005)).toBe(1);
    expect(await storage.offsetForTimestamp('t', 0, 1006)).toBe(2);
    expect(await storage.offsetForTimestamp('t', 0, 1250)).toBe(50);
    expect(await storage.offsetForTimestamp('t', 0, 1495)).toBe(99);
    expect(await storage.offsetForTimestamp('t', 0, 1496)).toBeNull();
  });

  it('keeps everything across a clean close and reopen, and goes on from the same offset', async () => {
    const dir = tempDir();
    let storage = await openStorage({ dir });
    await storage.createTopic('t', 3, parseTopicConfig({ 'segment.bytes': 1000, 'retention.ms': 3_600_000 }));
    for (let i = 0; i < 30; i++) await appendBatch(storage, 't', i % 3, [`v${i}`]);
    await storage.close();
    open.pop();
    storage = await openStorage({ dir });
    const description = await storage.describeTopic('t');
    expect(description.partitions.map((p) => p.endOffset)).toEqual([10, 10, 10]);
    expect(description.config['retention.ms']).toBe(3_600_000);
    expect(await appendBatch(storage, 't', 0, ['next'])).toEqual({ baseOffset: 10, lastOffset: 10 });
    expect(values(await readAll(storage, 't', 0)).slice(-2)).toEqual(['v27', 'next']);
  });

  it('creates, lists, describes and deletes topics; a deleted name can be reused at once', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic('b', 1, parseTopicConfig());
    await storage.createTopic('a', 2, parseTopicConfig({ 'cleanup.policy': 'compact' }));
    expect(await storage.listTopics()).toEqual(['a', 'b']);
    const a = await storage.describeTopic('a');
    expect(a).toMatchObject({ name: 'a', internal: false, partitions: [{ partition: 0 }, { partition: 1 }] });
    expect(a.config['cleanup.policy']).toBe('compact');
    await appendBatch(storage, 'b', 0, ['old']);
    await storage.deleteTopic('b');
    expect(await storage.listTopics()).toEqual(['a']);
    await storage.createTopic('b', 1, parseTopicConfig());
    expect(await readAll(storage, 'b', 0)).toEqual([]);
    await expect(storage.createTopic('a', 1, parseTopicConfig())).rejects.toMatchObject({
      code: 'TOPIC_ALREADY_EXISTS',
    });
    await expect(storage.describeTopic('nope')).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC' });
    await expect(appendBatch(storage, 'a', 7, ['x'])).rejects.toMatchObject({
      code: 'UNKNOWN_PARTITION',
      message: expect.stringContaining('partitions 0 to 1'),
    });
  });

  it("removes what an interrupted topic creation left, and never a directory that is not the log's", async () => {
    const dir = tempDir();
    // a creation that stopped before its topic.json: partitions of segment files only
    fs.mkdirSync(path.join(dir, 'half', '0'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'half', '0', '00000000000000000000.log'), '');
    // someone's data under log.dir
    fs.mkdirSync(path.join(dir, 'inbox', '2026'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'inbox', 'orders.jsonl'), '{"id":1}\n');
    const { logger, warnings } = recordingLogger();
    const storage = await openStorage({ dir, logger });
    expect(fs.existsSync(path.join(dir, 'half'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'inbox', 'orders.jsonl'), 'utf8')).toBe('{"id":1}\n');
    expect(warnings().some((w) => /ignoring .*inbox: not a topic/.test(String(w['msg'])))).toBe(true);
    expect(await storage.listTopics()).toEqual([]);

    await expect(storage.createTopic('inbox', 1, parseTopicConfig())).rejects.toMatchObject({
      code: 'INVALID_TOPIC',
      message: expect.stringContaining('exists and is not a topic'),
    });
    expect(fs.existsSync(path.join(dir, 'inbox', 'orders.jsonl'))).toBe(true);
    await storage.createTopic('half', 1, parseTopicConfig());
    expect(await storage.listTopics()).toEqual(['half']);
  });

  it('refuses bad topic names and partition counts, naming the field and what it allows', async () => {
    const storage = await openStorage({ dir: tempDir() });
    for (const name of ['', '..', 'a/b', 'x'.repeat(250), 'spaces are bad']) {
      await expect(storage.createTopic(name, 1, parseTopicConfig())).rejects.toMatchObject({
        code: 'INVALID_TOPIC',
        details: { field: 'topic', allowed: [expect.stringContaining('a-z A-Z 0-9 . _ -')] },
      });
    }
    for (const partitions of [0, -1, 1.5, 10_001]) {
      await expect(storage.createTopic('ok', partitions, parseTopicConfig())).rejects.toMatchObject({
        code: 'INVALID_PARTITIONS',
        details: { field: 'partitions', allowed: ['1..10000'] },
      });
    }
  });

  it('refuses a batch larger than max.message.bytes and a malformed one, writing nothing', async () => {
    const storage = await openStorage({ dir: tempDir() });
    await storage.createTopic('t', 1, parseTopicConfig({ 'max.message.bytes': 1000 }));
    await expect(appendBatch(storage, 't', 0, ['x'.repeat(2000)])).rejects.toMatchObject({
      code: 'RECORD_TOO_LARGE',
    });
    await expect(
      storage.append('t', 0, Buffer.from('not a batch at all, not at all, not at all, not at all, ok')),
    ).rejects.toMatchObject({
      code: 'CORRUPT_RECORD',
    });
    expect(await storage.offsets('t', 0)).toEqual({ startOffset: 0, endOffset: 0 });
  });

  it('under interval durability acknowledges after the write and syncs on a timer', async () => {
    const dir = tempDir();
    const storage = await openStorage({ dir, durability: { mode: 'interval', intervalMs: 20 } });
    await storage.createTopic('t', 1, parseTopicConfig());
    const acks = await Promise.all(
      Array.from({ length: 50 }, (_, i) => appendBatch(storage, 't', 0, [`v${i}`])),
    );
    expect(acks.map((a) => a.baseOffset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(values(await readAll(storage, 't', 0)).slice(-1)).toEqual(['v49']);
    await new Promise((r) => setTimeout(r, 60));
    await storage.close();
    open.pop();
    const reopened = await openStorage({ dir });
    expect((await readAll(reopened, 't', 0)).length).toBe(50);
  });

  it('lets only one process use a log directory', async () => {
    const dir = tempDir();
    await openStorage({ dir });
    fs.writeFileSync(path.join(dir, '.lock'), String(process.ppid));
    const second = new FileLogStorage({ dir, cleanerIntervalMs: 0, logger: recordingLogger().logger });
    await expect(second.open()).rejects.toMatchObject({
      code: 'STORAGE_ERROR',
      message: expect.stringContaining('in use'),
    });
  });
});
