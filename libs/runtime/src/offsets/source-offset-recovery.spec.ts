import { afterEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Log } from '@sluice/log';
import { pino } from 'pino';
import {
  BATCH_POSITION_KEY,
  durablePrefixes,
  SOURCE_OFFSET_HEADER,
  type SourceOffsetMark,
} from './source-offset-header.js';
import { recoverSourceOffsets } from './source-offset-recovery.js';
import { SourceOffsetStore } from './source-offset-store.js';

const logs: Log[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
});

const S = { table: 'orders' };

async function setUp(): Promise<{ log: Log; store: SourceOffsetStore }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recovery-'));
  const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0, logger: pino({ level: 'silent' }) });
  logs.push(log);
  await log.admin().createTopic({ name: 'out', partitions: 2 });
  const store = new SourceOffsetStore(log);
  await store.open();
  return { log, store };
}

/** One chunk of a poll batch as the source task writes it: its last record carries the mark. */
async function writeChunk(log: Log, partition: number, mark: Partial<SourceOffsetMark>): Promise<void> {
  const full: SourceOffsetMark = { c: 'src', t: 0, p: S, o: {}, ...mark };
  await log.producer().send({
    topic: 'out',
    records: [
      { value: 'earlier record', partition },
      {
        value: 'last record',
        partition,
        headers: [{ key: SOURCE_OFFSET_HEADER, value: JSON.stringify(full) }],
      },
    ],
  });
}

describe('recoverSourceOffsets', () => {
  it('trusts only whole poll batches, in order: a batch missing a chunk and all after it are left to repeat', async () => {
    const { log, store } = await setUp();
    await store.commit('src', 0, [{ partition: S, offset: { n: 4 } }], {
      'out:0': 0,
      'out:1': 0,
      [BATCH_POSITION_KEY]: 4,
    });
    // batch 5: both chunks durable; the mark of the record polled last (x) holds the offset
    await writeChunk(log, 1, { o: { n: 12 }, b: 5, n: 2, i: 1, x: 11 });
    await writeChunk(log, 0, { o: { n: 10 }, b: 5, n: 2, i: 0, x: 9 });
    // batch 6: its chunk for partition 0 was lost in the crash
    await writeChunk(log, 1, { o: { n: 20 }, b: 6, n: 2, i: 1, x: 19 });
    // batch 7 made it whole, but follows the incomplete one: trusting it would skip batch 6's records
    await writeChunk(log, 0, { o: { n: 30 }, b: 7, n: 1, i: 0, x: 29 });

    await recoverSourceOffsets(log, store, 'src', ['out']);

    expect(store.offset('src', S)).toEqual({ n: 12 });
    expect(store.positions('src').get(0)).toEqual({ 'out:0': 4, 'out:1': 4, [BATCH_POSITION_KEY]: 5 });
    // leftovers now lie before the positions: a second recovery finds nothing to change
    await recoverSourceOffsets(log, store, 'src', ['out']);
    expect(store.offset('src', S)).toEqual({ n: 12 });
  });

  it('takes the first chunks of a batch that lost a later one, when they hold every record polled before their marks', async () => {
    const { log, store } = await setUp();
    await store.commit('src', 0, [{ partition: S, offset: { n: 4 } }], {
      'out:0': 0,
      'out:1': 0,
      [BATCH_POSITION_KEY]: 4,
    });
    // batch 5: a page split into two log batches of partition 0, the second lost in the crash;
    // the first holds records 0..9 (u: 10), so its mark stands
    await writeChunk(log, 0, { o: { n: 10, skip: 10 }, b: 5, n: 2, i: 0, x: 9, u: 10 });
    await recoverSourceOffsets(log, store, 'src', ['out']);
    expect(store.offset('src', S)).toEqual({ n: 10, skip: 10 });
    expect(store.positions('src').get(0)).toMatchObject({ [BATCH_POSITION_KEY]: 5 });

    // batch 6: its first chunk (partition 1) marks record 15, but records 10..14 went to the
    // lost chunk (u: 10): taking the mark would skip them
    await writeChunk(log, 1, { o: { n: 16 }, b: 6, n: 2, i: 0, x: 15, u: 10 });
    await recoverSourceOffsets(log, store, 'src', ['out']);
    expect(store.offset('src', S)).toEqual({ n: 10, skip: 10 });
  });

  it('counts for each chunk the records before the first one a later chunk holds', () => {
    const chunk = (...indices: number[]): { chunk: { index: number }[] } => ({
      chunk: indices.map((index) => ({ index })),
    });
    // a page in two log batches of one partition
    expect(durablePrefixes(6, [chunk(0, 1, 2, 3), chunk(4, 5)])).toEqual([4, 6]);
    // two partitions, records alternating; record 2 was filtered out (never written)
    expect(durablePrefixes(5, [chunk(0, 4), chunk(1, 3)])).toEqual([1, 5]);
  });

  it('starts from the batch after the committed one, and ignores records before the positions', async () => {
    const { log, store } = await setUp();
    await writeChunk(log, 0, { o: { n: 1 }, b: 0, n: 1, i: 0, x: 0 });
    await store.commit('src', 0, [{ partition: S, offset: { n: 1 } }], {
      'out:0': 2,
      [BATCH_POSITION_KEY]: 0,
    });
    // batch 1 lost entirely; batch 2 durable: nothing may be trusted
    await writeChunk(log, 0, { o: { n: 3 }, b: 2, n: 1, i: 0, x: 0 });
    await recoverSourceOffsets(log, store, 'src', ['out']);
    expect(store.offset('src', S)).toEqual({ n: 1 });
    expect(store.positions('src').get(0)?.[BATCH_POSITION_KEY]).toBe(0);
  });

  it('takes marks written before batches were numbered as complete', async () => {
    const { log, store } = await setUp();
    await store.commit('src', 0, [], { 'out:0': 0 });
    await writeChunk(log, 0, { o: { n: 7 } });
    await recoverSourceOffsets(log, store, 'src', ['out']);
    expect(store.offset('src', S)).toEqual({ n: 7 });
  });

  it('skips headers that are no mark (records produced by hand with the header), and uses the real ones', async () => {
    const { log, store } = await setUp();
    await store.commit('src', 0, [], { 'out:0': 0 });
    for (const forged of ['garbage', '42', '{"c":"src","t":0}', '{"c":"src","t":"0","p":{},"o":{}}']) {
      await log.producer().send({
        topic: 'out',
        records: [{ value: 'forged', partition: 0, headers: [{ key: SOURCE_OFFSET_HEADER, value: forged }] }],
      });
    }
    await writeChunk(log, 0, { o: { n: 8 } });
    await recoverSourceOffsets(log, store, 'src', ['out']);
    expect(store.offset('src', S)).toEqual({ n: 8 });
  });
});
