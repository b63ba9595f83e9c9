import { describe, expect, it } from '@jest/globals';
import { embeddedLogs } from '../testing/embedded-log.js';
import { readAll, values } from '../testing/log-test-support.js';
import { murmur2, toPositive } from './murmur2.js';

const openLog = embeddedLogs();

describe('Producer', () => {
  it('places keyed records by murmur2 and keeps per-key order', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't', partitions: 4 });
    const producer = log.producer();
    const records = Array.from({ length: 40 }, (_, i) => ({ key: `user-${i % 7}`, value: `${i}` }));
    const meta = await producer.send({ topic: 't', records });
    expect(meta.reduce((n, m) => n + m.lastOffset - m.baseOffset + 1, 0)).toBe(40);
    for (let p = 0; p < 4; p++) {
      for (const r of await readAll(log.storage, 't', p)) {
        expect(toPositive(murmur2(r.key!)) % 4).toBe(p);
      }
    }
    const user3 = (await readAll(log.storage, 't', toPositive(murmur2(Buffer.from('user-3'))) % 4)).filter(
      (r) => r.key!.toString() === 'user-3',
    );
    expect(values(user3)).toEqual(['3', '10', '17', '24', '31', '38']);
  });

  it('tells where each record of a send landed, in send order', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't', partitions: 3 });
    const records = Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `${i}` }));
    const positions = await log.producer().sendEach({ topic: 't', records });
    for (let p = 0; p < 3; p++) {
      const stored = await readAll(log.storage, 't', p);
      for (const r of stored) {
        const i = Number(r.value!.toString());
        expect(positions[i]).toEqual({ partition: p, offset: r.offset });
      }
    }
    expect(positions.filter(Boolean)).toHaveLength(30);
  });

  it('honours an explicit partition and refuses one the topic does not have', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't', partitions: 2 });
    const producer = log.producer();
    expect(await producer.send({ topic: 't', records: [{ value: 'x', partition: 1 }] })).toEqual([
      { topic: 't', partition: 1, baseOffset: 0, lastOffset: 0 },
    ]);
    await expect(
      producer.send({ topic: 't', records: [{ value: 'x', partition: 2 }] }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_PARTITION',
      message: expect.stringContaining('partitions 0 to 1'),
    });
    await expect(producer.send({ topic: 'missing', records: [{ value: 'x' }] })).rejects.toMatchObject({
      code: 'UNKNOWN_TOPIC',
    });
  });

  it('cuts a large send into batches of about maxBatchBytes', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 't' });
    const producer = log.producer({ maxBatchBytes: 10_000 });
    const meta = await producer.send({
      topic: 't',
      records: Array.from({ length: 100 }, (_, i) => ({ value: `${i}`.padEnd(500, '.') })),
    });
    expect(meta.length).toBeGreaterThanOrEqual(5);
    expect(meta.map((m) => m.baseOffset)).toEqual([...meta.map((m) => m.baseOffset)].sort((a, b) => a - b));
    expect((await readAll(log.storage, 't', 0)).length).toBe(100);
  });

  it.each(['gzip', 'lz4'] as const)(
    'compresses with %s and reads back the same records',
    async (compression) => {
      const log = await openLog();
      await log.admin().createTopic({ name: 't' });
      const records = Array.from({ length: 500 }, (_, i) => ({
        key: `k${i}`,
        value: `value ${i} `.repeat(10),
        headers: [{ key: 'h', value: `${i}` }],
      }));
      await log.producer({ compression }).send({ topic: 't', records });
      const read = await readAll(log.storage, 't', 0);
      expect(values(read)).toEqual(records.map((r) => r.value));
      expect(read[499]!.headers[0]!.value!.toString()).toBe('499');
      expect((await log.admin().describeTopic('t')).partitions[0]!.sizeBytes).toBeLessThan((500 * 100) / 3);
    },
  );

  it('refuses an unknown compression type, naming the field and the choices', () => {
    return openLog().then((log) => {
      expect(() => log.producer({ compression: 'snappy' as never })).toThrow(
        expect.objectContaining({
          code: 'INVALID_CONFIG',
          details: expect.objectContaining({ field: 'compression.type' }),
        }),
      );
    });
  });
});
