import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { RecordBatchEncoder } from '../format/record-batch-encoder.js';
import { FileLogStorage } from '../storage/file/file-log-storage.js';
import { InProcessGroupCoordinator } from './in-process-group-coordinator.js';
import { CONSUMER_OFFSETS_TOPIC, LogOffsetStore } from './log-offset-store.js';
import type { StoredOffset } from './offset-store.js';

let dir: string;
const open: FileLogStorage[] = [];

async function openStorage(): Promise<FileLogStorage> {
  const storage = new FileLogStorage({ dir, logger: pino({ level: 'silent' }), cleanerIntervalMs: 0 });
  await storage.open();
  open.push(storage);
  return storage;
}

async function closeStorage(storage: FileLogStorage): Promise<void> {
  open.splice(open.indexOf(storage), 1);
  await storage.close();
}

function offset(topic: string, partition: number, value: number, metadata = ''): StoredOffset {
  return { topic, partition, offset: value, metadata, commitTimestamp: 1_700_000_000_000 + value };
}

function sorted(map: Map<string, StoredOffset[]>): Record<string, StoredOffset[]> {
  return Object.fromEntries(
    [...map]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([g, list]) => [
        g,
        [...list].sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition),
      ]),
  );
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-offsets-'));
});

afterEach(async () => {
  for (const storage of open.splice(0)) await storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('LogOffsetStore on FileLogStorage', () => {
  it('creates a compacted single-partition topic on first use', async () => {
    const storage = await openStorage();
    expect(await new LogOffsetStore(storage).load()).toEqual(new Map());
    const topic = await storage.describeTopic(CONSUMER_OFFSETS_TOPIC);
    expect(topic.partitions).toHaveLength(1);
    expect(topic.config['cleanup.policy']).toBe('compact');
  });

  it('keeps the latest offsets across a restart, minus deleted ones', async () => {
    let storage = await openStorage();
    let store = new LogOffsetStore(storage);
    await store.load();
    await store.save('g1', [offset('a', 0, 5, 'm'), offset('a', 1, 7)]);
    await store.save('g1', [offset('a', 0, 9)]);
    await store.save('g2', [offset('b', 0, 1), offset('b', 1, 2), offset('b', 2, 3)]);
    await store.save('g3', [offset('c', 0, 1)]);
    await store.delete('g2', [{ topic: 'b', partition: 1 }]);
    await store.delete('g3');
    await closeStorage(storage);

    storage = await openStorage();
    store = new LogOffsetStore(storage);
    expect(sorted(await store.load())).toEqual({
      g1: [offset('a', 0, 9), offset('a', 1, 7)],
      g2: [offset('b', 0, 1), offset('b', 2, 3)],
    });

    // What load() found is what delete(groupId) removes.
    await store.delete('g2');
    await closeStorage(storage);
    storage = await openStorage();
    expect(sorted(await new LogOffsetStore(storage).load())).toEqual({
      g1: [offset('a', 0, 9), offset('a', 1, 7)],
    });
  });

  it('reads back thousands of commits, split over batches, after compaction', async () => {
    const storage = await openStorage();
    const store = new LogOffsetStore(storage);
    await store.load();
    const many = Array.from({ length: 3000 }, (_, p) => offset('wide-topic-with-a-long-name', p, p));
    await store.save('wide', many);
    for (let round = 1; round <= 20; round++) await store.save('hot', [offset('h', 0, round)]);
    await storage.runCleaner();
    const loaded = await new LogOffsetStore(storage).load();
    expect(loaded.get('wide')).toHaveLength(3000);
    expect(loaded.get('hot')).toEqual([offset('h', 0, 20)]);
  });

  it('refuses a record it did not write', async () => {
    const storage = await openStorage();
    const store = new LogOffsetStore(storage);
    await store.load();
    await storage.append(
      CONSUMER_OFFSETS_TOPIC,
      0,
      new RecordBatchEncoder().encode([{ key: 'g\u0000t\u00000', value: 'not json' }]),
    );
    await expect(new LogOffsetStore(storage).load()).rejects.toMatchObject({ code: 'CORRUPT_RECORD' });
  });

  it('gives a restarted coordinator the offsets its groups committed', async () => {
    let storage = await openStorage();
    let coordinator = new InProcessGroupCoordinator({ offsetStore: new LogOffsetStore(storage) });
    await coordinator.open();
    const joined = await coordinator.joinGroup({
      groupId: 'sinks',
      memberId: '',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    await coordinator.syncGroup({
      groupId: 'sinks',
      generationId: joined.generationId,
      memberId: joined.memberId,
      assignments: [],
    });
    await coordinator.commitOffsets(
      { groupId: 'sinks', generationId: joined.generationId, memberId: joined.memberId },
      [
        { topic: 'orders', partition: 0, offset: 42, metadata: 'cursor' },
        { topic: 'orders', partition: 1, offset: 7 },
      ],
    );
    await coordinator.close();
    await closeStorage(storage);

    storage = await openStorage();
    coordinator = new InProcessGroupCoordinator({ offsetStore: new LogOffsetStore(storage) });
    try {
      expect(await coordinator.fetchOffsets('sinks')).toEqual([
        { topic: 'orders', partition: 0, offset: 42, metadata: 'cursor' },
        { topic: 'orders', partition: 1, offset: 7, metadata: '' },
      ]);
      expect(await coordinator.listGroups()).toEqual([
        { groupId: 'sinks', protocolType: '', state: 'Empty' },
      ]);
      await coordinator.deleteOffsets('sinks');
    } finally {
      await coordinator.close();
    }
    expect(await new LogOffsetStore(storage).load()).toEqual(new Map());
  });
});
