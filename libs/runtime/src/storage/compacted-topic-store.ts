import type { Log, Producer } from '@sluice/log';

/**
 * A key-value table kept in a compacted, single-partition internal topic: the runtime's configs,
 * statuses and source offsets live in the log like everything else (and so will in cluster mode,
 * whatever backs the log). Values are JSON; null is a tombstone. load() replays the topic, later
 * writes win; put() resolves once the write is durable.
 */
export class CompactedTopicStore<T> {
  private readonly producer: Producer;
  private readonly values = new Map<string, T>();

  constructor(
    private readonly log: Log,
    readonly topic: string,
  ) {
    this.producer = log.producer();
  }

  async open(): Promise<void> {
    await this.log
      .admin()
      .ensureTopic({ name: this.topic, partitions: 1, config: { 'cleanup.policy': 'compact' } });
    const consumer = this.log.consumer({ autoOffsetReset: 'earliest' });
    const tp = { topic: this.topic, partition: 0 };
    consumer.assign([tp]);
    const { endOffset } = await this.log.storage.offsets(this.topic, 0);
    try {
      while ((await consumer.position(tp)) < endOffset) {
        for (const part of await consumer.poll({ timeoutMs: 100 })) {
          for (const record of part.records) {
            if (record.key === null) continue;
            const key = record.key.toString('utf8');
            if (record.value === null) this.values.delete(key);
            else this.values.set(key, JSON.parse(record.value.toString('utf8')) as T);
          }
        }
      }
    } finally {
      await consumer.close();
    }
  }

  get(key: string): T | undefined {
    return this.values.get(key);
  }

  entries(): [string, T][] {
    return [...this.values.entries()];
  }

  // Reads see a write as soon as it is made (statuses must read back at once); the returned
  // promise says when it is durable.

  async put(key: string, value: T): Promise<void> {
    this.values.set(key, value);
    await this.producer.send({ topic: this.topic, records: [{ key, value: JSON.stringify(value) }] });
  }

  async putAll(entries: readonly [string, T][]): Promise<void> {
    if (entries.length === 0) return;
    for (const [key, value] of entries) this.values.set(key, value);
    await this.producer.send({
      topic: this.topic,
      records: entries.map(([key, value]) => ({ key, value: JSON.stringify(value) })),
    });
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
    await this.producer.send({ topic: this.topic, records: [{ key, value: null }] });
  }
}
