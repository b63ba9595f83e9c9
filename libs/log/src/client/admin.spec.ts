import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { embeddedLogs } from '../testing/embedded-log.js';
import { tempDir } from '../testing/log-test-support.js';

const openLog = embeddedLogs();

describe('LogAdmin', () => {
  it('creates topics with Kafka-named settings and describes them with offsets and sizes', async () => {
    const admin = (await openLog()).admin();
    const created = await admin.createTopic({
      name: 'orders',
      partitions: 3,
      config: { 'retention.ms': '3600000', 'cleanup.policy': 'compact' },
    });
    expect(created.config).toMatchObject({
      'retention.ms': 3_600_000,
      'cleanup.policy': 'compact',
      'segment.bytes': 1073741824,
    });
    expect(created.partitions).toEqual(
      [0, 1, 2].map((p) => ({ partition: p, startOffset: 0, endOffset: 0, sizeBytes: 0, segments: 1 })),
    );
    expect(await admin.listTopics()).toEqual(['orders']);
    const altered = await admin.alterTopicConfig('orders', { 'retention.ms': 1000 });
    expect(altered.config).toMatchObject({ 'retention.ms': 1000, 'cleanup.policy': 'compact' });
  });

  it('reports every bad topic setting at once, naming the field and the allowed values', async () => {
    const admin = (await openLog()).admin();
    await expect(
      admin.createTopic({
        name: 't',
        config: { 'cleanup.policy': 'shred', 'retention.ms': -5, colour: 'blue' },
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'cleanup.policy', allowed: ['delete', 'compact', 'compact,delete'] },
      message: expect.stringMatching(
        /cleanup\.policy.*retention\.ms -5 must be an integer from 0 up, or -1 for no limit.*unknown topic config "colour"/,
      ),
    });
    expect(await admin.listTopics()).toEqual([]);
  });

  it('creates a topic once under ensureTopic, however many race for it', async () => {
    const admin = (await openLog()).admin();
    const created = await Promise.all(
      [1, 2, 3].map(() => admin.ensureTopic({ name: 'once', partitions: 2 })),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
  });

  it('hides internal topics unless asked', async () => {
    const log = await openLog();
    await log.admin().createTopic({ name: 'visible' });
    await log.consumer({ groupId: 'g' }).commit([{ topic: 'visible', partition: 0, offset: 0 }]);
    expect(await log.admin().listTopics()).toEqual(['visible']);
    expect(await log.admin().listTopics({ includeInternal: true })).toContain('__consumer_offsets');
  });

  it("forgets every group's offsets in a deleted topic, so the topic made again is read from its start", async () => {
    const log = await openLog();
    const admin = log.admin();
    await admin.createTopic({ name: 'orders' });
    await admin.createTopic({ name: 'kept' });
    const producer = log.producer();
    await producer.send({
      topic: 'orders',
      records: [1, 2, 3].map((n) => ({ value: Buffer.from(`old-${n}`) })),
    });
    await log.consumer({ groupId: 'a' }).commit([
      { topic: 'orders', partition: 0, offset: 3 },
      { topic: 'kept', partition: 0, offset: 0 },
    ]);
    await log.consumer({ groupId: 'b' }).commit([{ topic: 'orders', partition: 0, offset: 2 }]);

    await admin.deleteTopic('orders');
    await admin.createTopic({ name: 'orders' });
    await producer.send({
      topic: 'orders',
      records: [1, 2, 3, 4].map((n) => ({ value: Buffer.from(`new-${n}`) })),
    });

    expect(await log.coordinator.fetchOffsets('a')).toEqual([
      expect.objectContaining({ topic: 'kept', partition: 0, offset: 0 }),
    ]);
    expect(await log.coordinator.fetchOffsets('b')).toEqual([]);
    const consumer = log.consumer({ groupId: 'a', autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 'orders', partition: 0 }]);
    const [part] = await consumer.poll();
    expect(part!.records.map((r) => r.value!.toString())).toEqual(['new-1', 'new-2', 'new-3', 'new-4']);
    await consumer.close();
  });

  it('keeps the offsets of the deleted topic forgotten across a restart', async () => {
    const dir = tempDir();
    const first = await openLog({ dir });
    await first.admin().createTopic({ name: 'orders' });
    await first.consumer({ groupId: 'a' }).commit([{ topic: 'orders', partition: 0, offset: 0 }]);
    await first.admin().deleteTopic('orders');
    await first.close();
    expect(await (await openLog({ dir })).coordinator.fetchOffsets('a')).toEqual([]);
  });

  it('gives each topic an ID, kept across restarts and new when the name is used again', async () => {
    const dir = tempDir();
    const first = await openLog({ dir });
    const { topicId } = await first.admin().createTopic({ name: 'orders' });
    expect(topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await first.close();
    // a topic written before topics had IDs gets one when the log opens, and keeps it
    const metaPath = path.join(dir, 'orders', 'topic.json');
    const { id: _id, ...legacy } = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(metaPath, JSON.stringify(legacy));
    const second = await openLog({ dir });
    const given = (await second.admin().describeTopic('orders')).topicId;
    expect(given).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await second.close();
    const third = await openLog({ dir });
    expect((await third.admin().describeTopic('orders')).topicId).toBe(given);
    await third.admin().deleteTopic('orders');
    const again = await third.admin().createTopic({ name: 'orders' });
    expect(again.topicId).not.toBe(given);
  });
});
