import { describe, expect, it } from '@jest/globals';
import { embeddedLogs } from '../testing/embedded-log.js';

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
});
