import { describe, expect, it } from '@jest/globals';
import type { LogRecord, TopicPartition } from '../record.js';
import { embeddedLogs } from '../testing/embedded-log.js';
import { tempDir } from '../testing/log-test-support.js';
import type { Consumer } from './consumer.js';
import type { Log } from './log.js';

const openLog = embeddedLogs();

async function produce(log: Log, topic: string, partition: number, vals: string[]): Promise<void> {
  await log.producer().send({ topic, records: vals.map((value) => ({ value, partition })) });
}

async function drain(consumer: Consumer, rounds = 3): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  let empty = 0;
  while (empty < rounds) {
    const polled = await consumer.poll({ timeoutMs: 20 });
    if (polled.length === 0) empty++;
    for (const p of polled) out.push(...p.records);
  }
  return out;
}

const text = (records: LogRecord[]): string[] => records.map((r) => r.value!.toString());

describe('Consumer with manual assignment', () => {
  it('reads from the reset position and follows new records', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't' });
    await produce(log, 't', 0, ['a', 'b']);
    const earliest = log.consumer({ autoOffsetReset: 'earliest' });
    earliest.assign([{ topic: 't', partition: 0 }]);
    const latest = log.consumer({ autoOffsetReset: 'latest' });
    latest.assign([{ topic: 't', partition: 0 }]);
    expect(text(await drain(earliest))).toEqual(['a', 'b']);
    expect(await drain(latest)).toEqual([]);
    await produce(log, 't', 0, ['c']);
    expect(text(await drain(earliest))).toEqual(['c']);
    expect(text(await drain(latest))).toEqual(['c']);
    expect(await earliest.position({ topic: 't', partition: 0 })).toBe(3);
  });

  it('returns at most maxPollRecords per poll, holding the rest of a batch for the next polls', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't', partitions: 2 });
    const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
    await produce(log, 't', 0, values);
    await produce(log, 't', 1, ['w0', 'w1']);
    const consumer = log.consumer({ autoOffsetReset: 'earliest', maxPollRecords: 4 });
    const tp = { topic: 't', partition: 0 };
    consumer.assign([tp]);
    const first = await consumer.poll({ timeoutMs: 100 });
    expect(text(first.flatMap((p) => p.records))).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect(await consumer.position(tp)).toBe(4);
    const second = await consumer.poll({ timeoutMs: 100 });
    expect(text(second.flatMap((p) => p.records))).toEqual(['v4', 'v5', 'v6', 'v7']);
    expect(await consumer.position(tp)).toBe(8);
    // a seek drops what was held back
    consumer.seek(tp, 1);
    expect(text((await consumer.poll({ timeoutMs: 100 })).flatMap((p) => p.records))).toEqual([
      'v1',
      'v2',
      'v3',
      'v4',
    ]);
    expect(text(await drain(consumer))).toEqual(['v5', 'v6', 'v7', 'v8', 'v9']);
    expect(await consumer.position(tp)).toBe(10);

    const both = log.consumer({ autoOffsetReset: 'earliest', maxPollRecords: 3 });
    both.assign([tp, { topic: 't', partition: 1 }]);
    const all: string[] = [];
    for (let i = 0; i < 6; i++) {
      const polled = await both.poll({ timeoutMs: 50 });
      expect(polled.reduce((n, p) => n + p.records.length, 0)).toBeLessThanOrEqual(3);
      all.push(...text(polled.flatMap((p) => p.records)));
    }
    expect(all.sort()).toEqual([...values, 'w0', 'w1'].sort());
  });

  it('long-polls until a record arrives, and wakeup() ends the wait', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't', partitions: 2 });
    const consumer = log.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    setTimeout(() => void produce(log, 't', 1, ['late']), 50);
    const started = Date.now();
    const polled = await consumer.poll({ timeoutMs: 5000 });
    expect(polled.map((p) => [p.partition, text(p.records)])).toEqual([[1, ['late']]]);
    expect(Date.now() - started).toBeLessThan(4000);

    setTimeout(() => consumer.wakeup(), 50);
    const woken = Date.now();
    expect(await consumer.poll({ timeoutMs: 10_000 })).toEqual([]);
    expect(Date.now() - woken).toBeLessThan(5000);
  });

  it('seeks to an offset, the beginning, the end and a timestamp', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't' });
    const tp: TopicPartition = { topic: 't', partition: 0 };
    await log.producer().send({
      topic: 't',
      records: [0, 1, 2, 3].map((i) => ({ value: `v${i}`, timestamp: 1000 * (i + 1) })),
    });
    const consumer = log.consumer();
    consumer.assign([tp]);
    consumer.seek(tp, 2);
    expect(text(await drain(consumer))).toEqual(['v2', 'v3']);
    await consumer.seekToBeginning();
    expect(text(await drain(consumer))).toEqual(['v0', 'v1', 'v2', 'v3']);
    await consumer.seekToTimestamp(tp, 2500);
    expect(text(await drain(consumer))).toEqual(['v2', 'v3']);
    await consumer.seekToTimestamp(tp, 99_999);
    expect(await consumer.position(tp)).toBe(4);
    await consumer.seekToEnd();
    expect(await drain(consumer)).toEqual([]);
    expect(() => consumer.seek(tp, -1)).toThrow(/offsets are integers >= 0/);
    expect(() => consumer.seek({ topic: 't', partition: 5 }, 0)).toThrow(/not assigned/);
  });

  it('skips paused partitions until resumed', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't', partitions: 2 });
    await produce(log, 't', 0, ['p0']);
    await produce(log, 't', 1, ['p1']);
    const consumer = log.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    consumer.pause([{ topic: 't', partition: 1 }]);
    expect(text(await drain(consumer))).toEqual(['p0']);
    expect(consumer.paused()).toEqual([{ topic: 't', partition: 1 }]);
    consumer.resume([{ topic: 't', partition: 1 }]);
    expect(text(await drain(consumer))).toEqual(['p1']);
  });

  it('resets by its policy when its position fell out of the log, or fails with none', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't', config: { 'segment.bytes': 200, 'retention.bytes': 300 } });
    for (let i = 0; i < 20; i++) await produce(log, 't', 0, [`v${i}`.padEnd(60, '.')]);
    await log.storage.runCleaner();
    const { startOffset } = await log.storage.offsets('t', 0);
    expect(startOffset).toBeGreaterThan(0);

    const consumer = log.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 't', partition: 0 }]);
    consumer.seek({ topic: 't', partition: 0 }, 0);
    const records = await drain(consumer);
    expect(records[0]!.offset).toBe(startOffset);

    const strict = log.consumer({ autoOffsetReset: 'none' });
    strict.assign([{ topic: 't', partition: 0 }]);
    strict.seek({ topic: 't', partition: 0 }, 0);
    await expect(strict.poll()).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
  });

  it('hands out what it read from other partitions when one fails, and loses none of it', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 'fine' });
    await produce(log, 'fine', 0, ['a', 'b']);
    await log
      .admin()
      .createTopic({ name: 'trimmed', config: { 'segment.bytes': 200, 'retention.bytes': 300 } });
    for (let i = 0; i < 20; i++) await produce(log, 'trimmed', 0, [`v${i}`.padEnd(60, '.')]);
    await log.storage.runCleaner();
    const consumer = log.consumer({ autoOffsetReset: 'none' });
    consumer.assign([
      { topic: 'fine', partition: 0 },
      { topic: 'trimmed', partition: 0 },
    ]);
    consumer.seek({ topic: 'fine', partition: 0 }, 0);
    consumer.seek({ topic: 'trimmed', partition: 0 }, 0);
    const got: LogRecord[] = [];
    const errors: string[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        for (const p of await consumer.poll()) got.push(...p.records);
      } catch (err) {
        errors.push((err as { code?: string }).code ?? String(err));
      }
    }
    expect(text(got)).toEqual(['a', 'b']);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['OFFSET_OUT_OF_RANGE']));
  });

  it('returns records in offset order across many batches without loss', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't', config: { 'segment.bytes': 5000 } });
    const sends = Array.from({ length: 50 }, (_, b) =>
      log
        .producer()
        .send({ topic: 't', records: Array.from({ length: 20 }, (_, i) => ({ value: `${b * 20 + i}` })) }),
    );
    await Promise.all(sends);
    const consumer = log.consumer({ autoOffsetReset: 'earliest', maxPartitionFetchBytes: 700 });
    consumer.assign([{ topic: 't', partition: 0 }]);
    const records = await drain(consumer);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('Consumer in a group', () => {
  const fast = { sessionTimeoutMs: 2000, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 2000 };

  async function pollUntil(
    consumers: Consumer[],
    done: () => boolean,
    sink: LogRecord[][] = [],
  ): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('condition not reached');
      const results = await Promise.all(consumers.map((c) => c.poll({ timeoutMs: 20 })));
      results.forEach((polled, i) => {
        sink[i] ??= [];
        for (const p of polled) sink[i]!.push(...p.records);
      });
    }
  }

  it('keeps a subscribed consumer through its topic being deleted, and reads the topic made again from its start', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 'gone', partitions: 1 });
    await produce(log, 'gone', 0, ['a', 'b', 'c', 'd']);
    const consumer = log.consumer({ groupId: 'g', autoOffsetReset: 'earliest', ...fast });
    const revoked: TopicPartition[] = [];
    consumer.subscribe(['gone'], { onPartitionsRevoked: (tps) => void revoked.push(...tps) });
    const before: LogRecord[][] = [];
    await pollUntil([consumer], () => (before[0]?.length ?? 0) === 4, before);

    await log.admin().deleteTopic('gone');
    await pollUntil([consumer], () => consumer.assignment().length === 0);
    expect(revoked).toEqual([{ topic: 'gone', partition: 0 }]);
    // as a sink commits at revocation: the old position is not handed to the next topic of the name
    await consumer.commit([{ topic: 'gone', partition: 0, offset: 4 }]);
    expect(await log.coordinator.fetchOffsets('g')).toEqual([]);

    await log.admin().createTopic({ name: 'gone', partitions: 1 });
    await produce(log, 'gone', 0, ['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
    const after: LogRecord[][] = [];
    await pollUntil([consumer], () => (after[0]?.length ?? 0) === 5, after);
    expect(text(after[0]!)).toEqual(['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
    await consumer.close();
  });

  it('keeps a subscribed consumer through its topic made again at once with fewer partitions', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 'shrinks', partitions: 2 });
    await produce(log, 'shrinks', 1, ['x', 'y']);
    const consumer = log.consumer({ groupId: 'g2', autoOffsetReset: 'earliest', ...fast });
    consumer.subscribe(['shrinks']);
    const before: LogRecord[][] = [];
    await pollUntil([consumer], () => (before[0]?.length ?? 0) === 2, before);
    await log.admin().deleteTopic('shrinks');
    await log.admin().createTopic({ name: 'shrinks', partitions: 1 });
    await consumer.commit([{ topic: 'shrinks', partition: 1, offset: 2 }]); // that partition is gone
    expect(await log.coordinator.fetchOffsets('g2')).toEqual([]);
    await produce(log, 'shrinks', 0, ['new']);
    const after: LogRecord[][] = [];
    await pollUntil([consumer], () => (after[0]?.length ?? 0) === 1, after);
    expect(text(after[0]!)).toEqual(['new']);
    expect(consumer.assignment()).toEqual([{ topic: 'shrinks', partition: 0 }]);
    await consumer.close();
  });

  it('commits from onPartitionsRevoked while closing: the last chance to keep its positions', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 'closing', partitions: 1 });
    await produce(log, 'closing', 0, ['a', 'b', 'c']);
    const consumer = log.consumer({ groupId: 'g-close', autoOffsetReset: 'earliest', ...fast });
    const failures: unknown[] = [];
    consumer.subscribe(['closing'], {
      onPartitionsRevoked: async () => {
        await consumer.commit().catch((err: unknown) => void failures.push(err));
      },
    });
    const seen: LogRecord[][] = [];
    await pollUntil([consumer], () => (seen[0]?.length ?? 0) === 3, seen);
    await consumer.close();
    expect(failures).toEqual([]);
    expect(await log.coordinator.fetchOffsets('g-close')).toEqual([
      expect.objectContaining({ topic: 'closing', partition: 0, offset: 3 }),
    ]);
  });

  it('splits partitions between members, hands them over when one leaves, and resumes from commits', async () => {
    const dir = tempDir();
    let log = await openLog({ dir });
    await log.admin().createTopic({ name: 'orders', partitions: 4 });
    for (let p = 0; p < 4; p++) await produce(log, 'orders', p, [`${p}-a`, `${p}-b`]);

    const a = log.consumer({ groupId: 'billing', autoOffsetReset: 'earliest', ...fast });
    const b = log.consumer({ groupId: 'billing', autoOffsetReset: 'earliest', ...fast });
    a.subscribe(['orders']);
    b.subscribe(['orders']);
    const seen: LogRecord[][] = [];
    await pollUntil(
      [a, b],
      () =>
        a.assignment().length === 2 &&
        b.assignment().length === 2 &&
        (seen[0]?.length ?? 0) + (seen[1]?.length ?? 0) === 8,
      seen,
    );
    const owned = [...a.assignment(), ...b.assignment()].map((tp) => tp.partition).sort();
    expect(owned).toEqual([0, 1, 2, 3]);
    await a.commit();
    await b.commit();
    expect(await log.admin().groupLag('billing')).toEqual(
      [0, 1, 2, 3].map((p) => ({ topic: 'orders', partition: p, committedOffset: 2, endOffset: 2, lag: 0 })),
    );

    const revoked: TopicPartition[] = [];
    b.subscribe(['orders'], { onPartitionsRevoked: (tps) => void revoked.push(...tps) });
    await b.close();
    expect(revoked.length).toBe(2);
    await pollUntil([a], () => a.assignment().length === 4);

    await produce(log, 'orders', 0, ['0-c']);
    const after: LogRecord[][] = [];
    await pollUntil([a], () => (after[0]?.length ?? 0) === 1, after);
    expect(text(after[0]!)).toEqual(['0-c']);
    await a.commit();
    expect((await log.admin().groupLag('billing')).map((l) => l.lag)).toEqual([0, 0, 0, 0]);
    await a.close();
    await log.close();

    log = await openLog({ dir });
    await produce(log, 'orders', 3, ['3-c']);
    const c = log.consumer({ groupId: 'billing', autoOffsetReset: 'earliest', ...fast });
    c.subscribe(['orders']);
    const resumed: LogRecord[][] = [];
    await pollUntil([c], () => (resumed[0]?.length ?? 0) >= 1, resumed);
    expect(text(await drain(c)).concat(text(resumed[0]!))).toEqual(['3-c']);
    expect((await log.admin().groupLag('billing')).find((l) => l.partition === 3)!.lag).toBe(1);
    await c.commit();
    expect((await log.admin().groupLag('billing')).find((l) => l.partition === 3)!.lag).toBe(0);
    await c.close();
  });

  it('refuses subscribe without a group id and mixing assign with subscribe', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't' });
    expect(() => log.consumer().subscribe(['t'])).toThrow(/no groupId/);
    const consumer = log.consumer({ groupId: 'g' });
    consumer.assign([{ topic: 't', partition: 0 }]);
    expect(() => consumer.subscribe(['t'])).toThrow(/cannot be mixed/);
  });
});
