import { topicPartitionKey, type TopicPartition } from '../record.js';
import type { OffsetStore, StoredOffset } from './offset-store.js';

/** Offsets kept in a Map: for tests, and for groups whose offsets need not survive a restart. */
export class InMemoryOffsetStore implements OffsetStore {
  private readonly groups = new Map<string, Map<string, StoredOffset>>();

  async load(): Promise<Map<string, StoredOffset[]>> {
    return new Map([...this.groups].map(([groupId, offsets]) => [groupId, [...offsets.values()]]));
  }

  async save(groupId: string, offsets: readonly StoredOffset[]): Promise<void> {
    let group = this.groups.get(groupId);
    if (!group) this.groups.set(groupId, (group = new Map()));
    for (const offset of offsets) group.set(topicPartitionKey(offset), { ...offset });
  }

  async delete(groupId: string, partitions?: readonly TopicPartition[]): Promise<void> {
    const group = this.groups.get(groupId);
    if (!group) return;
    if (partitions === undefined) group.clear();
    else for (const tp of partitions) group.delete(topicPartitionKey(tp));
    if (group.size === 0) this.groups.delete(groupId);
  }
}
