import type {
  AppendResult,
  FetchRequest,
  FetchResult,
  LogStorage,
  TopicConfig,
  TopicDescription,
} from '@sluice/log';
import { type RpcChannel, transferable } from './rpc-channel.js';

/**
 * The log's storage as a task thread sees it: every call goes to the main thread, which owns the
 * files. Batches are handed over, not copied. Partition counts, which producers need without
 * waiting, are kept here and refreshed by the main thread's `partition-counts` events.
 */
export class RemoteLogStorage implements LogStorage {
  private counts = new Map<string, number>();

  constructor(private readonly channel: RpcChannel) {
    channel.onEvent((name, payload) => {
      if (name === 'partition-counts')
        this.counts = new Map(Object.entries(payload as Record<string, number>));
    });
  }

  async open(): Promise<void> {
    await this.refreshCounts();
  }

  async close(): Promise<void> {
    // the main thread owns the storage
  }

  private async refreshCounts(): Promise<void> {
    const counts = await this.channel.call<Record<string, number>>('storage.partitionCounts', []);
    this.counts = new Map(Object.entries(counts));
  }

  async createTopic(name: string, partitions: number, config: TopicConfig): Promise<void> {
    try {
      await this.channel.call('storage.createTopic', [name, partitions, config]);
    } finally {
      await this.refreshCounts();
    }
  }

  async deleteTopic(name: string): Promise<void> {
    try {
      await this.channel.call('storage.deleteTopic', [name]);
    } finally {
      await this.refreshCounts();
    }
  }

  listTopics(): Promise<string[]> {
    return this.channel.call('storage.listTopics', []);
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    const d = await this.channel.call<TopicDescription>('storage.describeTopic', [name]);
    this.counts.set(name, d.partitions.length);
    return d;
  }

  alterTopicConfig(name: string, config: TopicConfig): Promise<void> {
    return this.channel.call('storage.alterTopicConfig', [name, config]);
  }

  partitionCount(topic: string): number | undefined {
    return this.counts.get(topic);
  }

  append(topic: string, partition: number, batch: Buffer): Promise<AppendResult> {
    const { buffer, transfer } = transferable(batch);
    return this.channel.call('storage.append', [topic, partition, buffer], { transfer });
  }

  fetch(topic: string, partition: number, request: FetchRequest): Promise<FetchResult> {
    const { offset, maxBytes, maxWaitMs } = request;
    return this.channel.call('storage.fetch', [topic, partition, { offset, maxBytes, maxWaitMs }], {
      signal: request.signal,
    });
  }

  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null> {
    return this.channel.call('storage.offsetForTimestamp', [topic, partition, timestamp]);
  }

  offsets(topic: string, partition: number): Promise<{ startOffset: number; endOffset: number }> {
    return this.channel.call('storage.offsets', [topic, partition]);
  }

  runCleaner(): Promise<void> {
    return this.channel.call('storage.runCleaner', []);
  }
}
