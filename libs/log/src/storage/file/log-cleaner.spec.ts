import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { parseTopicConfig } from '../../topics/topic-config.js';
import { appendBatch, readAll, recordingLogger, tempDir, values } from '../../testing/log-test-support.js';
import { FileLogStorage } from './file-log-storage.js';

const open: FileLogStorage[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function openStorage(dir = tempDir(), cleanerClock?: () => number): Promise<FileLogStorage> {
  const storage = new FileLogStorage({
    dir,
    cleanerIntervalMs: 0,
    cleanerClock,
    logger: recordingLogger().logger,
  });
  await storage.open();
  open.push(storage);
  return storage;
}

const HOUR = 3_600_000;

describe('retention', () => {
  it('deletes the oldest segments beyond retention.bytes, never the active one', async () => {
    const storage = await openStorage();
    await storage.createTopic('t', 1, parseTopicConfig({ 'segment.bytes': 400, 'retention.bytes': 1000 }));
    for (let i = 0; i < 40; i++) await appendBatch(storage, 't', 0, [`value-${i}-${'x'.repeat(50)}`]);
    const before = (await storage.describeTopic('t')).partitions[0]!;
    await storage.runCleaner();
    const after = (await storage.describeTopic('t')).partitions[0]!;
    expect(after.segments).toBeLessThan(before.segments);
    expect(after.sizeBytes).toBeGreaterThanOrEqual(1000 - 400);
    expect(after.sizeBytes).toBeLessThan(1000 + 400);
    expect(after.endOffset).toBe(40);
    const remaining = await readAll(storage, 't', 0, after.startOffset);
    expect(remaining[0]!.offset).toBe(after.startOffset);
    expect(remaining[remaining.length - 1]!.offset).toBe(39);
    await expect(storage.fetch('t', 0, { offset: 0, maxBytes: 100 })).rejects.toMatchObject({
      code: 'OFFSET_OUT_OF_RANGE',
    });
  });

  it('deletes segments whose newest record is older than retention.ms, the active one too once rolled', async () => {
    const storage = await openStorage();
    await storage.createTopic('t', 1, parseTopicConfig({ 'segment.bytes': 300, 'retention.ms': HOUR }));
    const old = Date.now() - 2 * HOUR;
    for (let i = 0; i < 10; i++)
      await appendBatch(storage, 't', 0, [{ value: `old-${i}-${'x'.repeat(60)}`, timestamp: old }]);
    for (let i = 0; i < 3; i++) await appendBatch(storage, 't', 0, [{ value: `new-${i}` }]);
    await storage.runCleaner();
    expect(values(await readAll(storage, 't', 0, (await storage.offsets('t', 0)).startOffset))).toEqual([
      'new-0',
      'new-1',
      'new-2',
    ]);

    await storage.createTopic('idle', 1, parseTopicConfig({ 'retention.ms': HOUR }));
    await appendBatch(storage, 'idle', 0, [{ value: 'stale', timestamp: old }]);
    await storage.runCleaner();
    expect(await storage.offsets('idle', 0)).toEqual({ startOffset: 1, endOffset: 1 });
    expect(await appendBatch(storage, 'idle', 0, ['fresh'])).toEqual({ baseOffset: 1, lastOffset: 1 });
  });
});

describe('compaction', () => {
  async function compactedTopic(
    storage: FileLogStorage,
    config: Record<string, unknown> = {},
  ): Promise<void> {
    await storage.createTopic(
      'c',
      1,
      parseTopicConfig({
        'cleanup.policy': 'compact',
        'segment.bytes': 300,
        'min.cleanable.dirty.ratio': 0,
        ...config,
      }),
    );
  }

  it('keeps the latest record of every key, with its offset, and reads still work across gaps', async () => {
    const storage = await openStorage();
    await compactedTopic(storage);
    for (let i = 0; i < 60; i++) await appendBatch(storage, 'c', 0, [{ key: `k${i % 5}`, value: `v${i}` }]);
    const before = (await storage.describeTopic('c')).partitions[0]!;
    await storage.runCleaner();
    const after = (await storage.describeTopic('c')).partitions[0]!;
    expect(after.sizeBytes).toBeLessThan(before.sizeBytes);
    expect(after.endOffset).toBe(60);

    const all = await readAll(storage, 'c', 0);
    const latest = new Map<string, string>();
    for (const r of all) latest.set(r.key!.toString(), r.value!.toString());
    expect(Object.fromEntries(latest)).toEqual({ k0: 'v55', k1: 'v56', k2: 'v57', k3: 'v58', k4: 'v59' });
    const offsets = all.map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    for (const r of all) expect(r.value!.toString()).toBe(`v${r.offset}`);
    // an offset that compaction removed reads from the next record after it
    const { batches } = await storage.fetch('c', 0, { offset: 1, maxBytes: 1 });
    expect(batches.length).toBeGreaterThan(0);
  });

  it('drops a tombstone delete.retention.ms after the pass that first kept it, whatever its timestamp', async () => {
    // the cleaner's clock runs ahead of the appends' by `skew`
    let skew = 1_000;
    const storage = await openStorage(tempDir(), () => Date.now() + skew);
    await compactedTopic(storage, { 'delete.retention.ms': HOUR });
    // written now with timestamps of long ago (replayed or copied data)
    const old = Date.now() - 2 * HOUR;
    await appendBatch(storage, 'c', 0, [{ key: 'gone', value: 'v', timestamp: old }]);
    // a tombstone and a live record in one batch: the batch gets the horizon, the record keeps its time
    await appendBatch(storage, 'c', 0, [
      { key: 'gone', value: null, timestamp: old },
      { key: 'beside', value: 'v', timestamp: old + 7 },
    ]);
    await appendBatch(storage, 'c', 0, [{ key: 'other', value: 'v' }]);
    await appendBatch(storage, 'c', 0, [{ key: 'other', value: null }]);
    const pad = async (from: number): Promise<void> => {
      for (let i = from; i < from + 20; i++)
        await appendBatch(storage, 'c', 0, [{ key: `pad${i}`, value: 'x'.repeat(40) }]);
    };
    const entries = async (): Promise<[string, boolean][]> =>
      (await readAll(storage, 'c', 0)).map((r) => [r.key!.toString(), r.value === null]);
    await pad(0);
    await storage.runCleaner();
    // the old values go, both tombstones stay: a consumer behind them still learns of the deletes
    expect(await entries()).toEqual(
      expect.arrayContaining([
        ['gone', true],
        ['other', true],
      ]),
    );
    expect(await entries()).not.toContainEqual(['gone', false]);
    expect(await entries()).not.toContainEqual(['other', false]);
    const beside = (await readAll(storage, 'c', 0)).find((r) => r.key!.toString() === 'beside');
    expect(beside?.timestamp).toBe(old + 7);

    skew += HOUR / 2;
    await pad(20);
    await storage.runCleaner();
    expect(await entries()).toEqual(
      expect.arrayContaining([
        ['gone', true],
        ['other', true],
      ]),
    );

    // past the horizon they go, though nothing was written since
    skew += HOUR;
    await storage.runCleaner();
    const left = (await entries()).map(([key]) => key);
    expect(left).not.toContain('gone');
    expect(left).not.toContain('other');
    expect(left).toEqual(expect.arrayContaining(['beside', 'pad39']));
  });

  it('leaves segments younger than min.compaction.lag.ms alone', async () => {
    const storage = await openStorage();
    await compactedTopic(storage, { 'min.compaction.lag.ms': HOUR });
    for (let i = 0; i < 30; i++) await appendBatch(storage, 'c', 0, [{ key: 'same', value: `v${i}` }]);
    await storage.runCleaner();
    expect((await readAll(storage, 'c', 0)).length).toBe(30);
  });

  it('refuses records without a key', async () => {
    const storage = await openStorage();
    await compactedTopic(storage);
    await expect(
      appendBatch(storage, 'c', 0, [{ key: 'k', value: 'v' }, { value: 'no key' }]),
    ).rejects.toMatchObject({
      code: 'INVALID_RECORD',
      details: { field: 'key' },
    });
  });

  it('survives a restart, and completes a swap that a crash interrupted', async () => {
    const dir = tempDir();
    const storage = await openStorage(dir);
    await compactedTopic(storage);
    for (let i = 0; i < 40; i++) await appendBatch(storage, 'c', 0, [{ key: `k${i % 30}`, value: `v${i}` }]);
    await storage.runCleaner();
    const compacted = await readAll(storage, 'c', 0);
    await storage.close();
    open.pop();

    // simulate a crash after the commit point: a .swap holding the first two segments' content,
    // with the old files still there
    const partitionDir = path.join(dir, 'c', '0');
    const logs = fs
      .readdirSync(partitionDir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    const merged = Buffer.concat([
      fs.readFileSync(path.join(partitionDir, logs[0]!)),
      fs.readFileSync(path.join(partitionDir, logs[1]!)),
    ]);
    fs.writeFileSync(path.join(partitionDir, logs[0]!.replace('.log', '.log.swap')), merged);
    fs.writeFileSync(path.join(partitionDir, '00000000000000000099.log.cleaned'), 'junk');

    const reopened = await openStorage(dir);
    expect(await readAll(reopened, 'c', 0)).toEqual(compacted);
    const files = fs.readdirSync(partitionDir);
    expect(files.filter((f) => f.endsWith('.swap') || f.endsWith('.cleaned'))).toEqual([]);
    expect(files).not.toContain(logs[1]);
  });
});
