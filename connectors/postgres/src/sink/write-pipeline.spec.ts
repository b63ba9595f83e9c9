import { describe, expect, it } from '@jest/globals';
import type { SinkRecord } from '@sluice/connect-api';
import type { PendingBatch } from './pending-batch.js';
import { partitionKey } from './sink-offsets-store.js';
import { WritePipeline } from './write-pipeline.js';

function records(partition: number, from: number, count: number): { record: SinkRecord; change: null }[] {
  return Array.from({ length: count }, (_, i) => ({
    record: { topic: 't', kafkaPartition: partition, kafkaOffset: from + i } as SinkRecord,
    change: null,
  }));
}

/** A write that waits until the test lets it finish (or fail). */
class GatedWrites {
  readonly started: { batch: PendingBatch; finish: (err?: Error) => void }[] = [];
  readonly write = (batch: PendingBatch): Promise<void> =>
    new Promise((resolve, reject) => {
      this.started.push({ batch, finish: (err) => (err ? reject(err) : resolve()) });
    });
  sizes(): number[] {
    return this.started.map((s) => s.batch.records);
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const p0 = partitionKey('t', 0);

describe('WritePipeline', () => {
  it('writes one batch at a time, gathering what arrives meanwhile up to the batch size', async () => {
    const writes = new GatedWrites();
    const pipeline = new WritePipeline(5, writes.write);
    pipeline.add(records(0, 0, 2));
    pipeline.add(records(0, 2, 3));
    pipeline.add(records(0, 5, 4));
    expect(writes.sizes()).toEqual([2]);
    expect(pipeline.firstUnwritten(p0)).toBe(0);
    writes.started[0]!.finish();
    await tick();
    expect(writes.sizes()).toEqual([2, 5]);
    expect(pipeline.firstUnwritten(p0)).toBe(2);
    const flushed = pipeline.flush();
    writes.started[1]!.finish();
    await tick();
    expect(writes.sizes()).toEqual([2, 5, 2]);
    expect(writes.started[2]!.batch.offsets.get(p0)?.offset).toBe(9);
    writes.started[2]!.finish();
    await flushed;
    expect(pipeline.firstUnwritten(p0)).toBeUndefined();
    expect(pipeline.empty).toBe(true);
  });

  it('makes put() wait only while a full batch waits behind the write in flight', async () => {
    const writes = new GatedWrites();
    const pipeline = new WritePipeline(3, writes.write);
    pipeline.add(records(0, 0, 1));
    pipeline.add(records(0, 1, 2));
    let waited = false;
    await pipeline.backpressure().then(() => (waited = true));
    expect(waited).toBe(true);
    pipeline.add(records(0, 3, 1));
    let released = false;
    const blocked = pipeline.backpressure().then(() => (released = true));
    await tick();
    expect(released).toBe(false);
    writes.started[0]!.finish();
    await blocked;
    expect(writes.sizes()).toEqual([1, 3]);
  });

  it('keeps a batch whose background write failed first in line, and writes it again before more', async () => {
    const writes = new GatedWrites();
    const pipeline = new WritePipeline(10, writes.write);
    pipeline.add(records(0, 0, 4));
    writes.started[0]!.finish(new Error('connection lost'));
    await tick();
    expect(pipeline.firstUnwritten(p0)).toBe(0);

    const retry = pipeline.settle();
    writes.started[1]!.finish(new Error('still down'));
    await expect(retry).rejects.toThrow('still down');
    expect(pipeline.firstUnwritten(p0)).toBe(0);

    const again = pipeline.settle();
    expect(writes.started[2]!.batch).toBe(writes.started[0]!.batch);
    writes.started[2]!.finish();
    await again;
    pipeline.add(records(0, 4, 1));
    expect(writes.sizes()).toEqual([4, 4, 4, 1]);
  });

  it('forgets the records of dropped partitions', async () => {
    const writes = new GatedWrites();
    const pipeline = new WritePipeline(10, writes.write);
    pipeline.add(records(0, 0, 1));
    pipeline.add([...records(0, 1, 2), ...records(1, 7, 3)]);
    const dropping = pipeline.drop([{ topic: 't', partition: 1 }]);
    writes.started[0]!.finish();
    await dropping;
    expect(pipeline.firstUnwritten(partitionKey('t', 1))).toBeUndefined();
    expect(pipeline.firstUnwritten(p0)).toBe(1);
    const flushed = pipeline.flush();
    await tick();
    expect(writes.sizes()).toEqual([1, 2]);
    expect([...writes.started[1]!.batch.offsets.keys()]).toEqual([p0]);
    writes.started[1]!.finish();
    await flushed;
  });
});
