import type { TopicPartition } from '../record.js';
import type { CommittedOffset } from './group-coordinator.js';

export interface StoredOffset extends CommittedOffset {
  /** When the coordinator accepted the commit, in milliseconds since the epoch. */
  commitTimestamp: number;
}

/**
 * Where a coordinator keeps committed offsets so they outlive it. The coordinator calls load()
 * once before anything else, and then save() and delete() one at a time per group, each only
 * after the previous one for that group resolved; the store need not be safe for more than that.
 * A save() or delete() that resolved is durable.
 */
export interface OffsetStore {
  /** Every group's latest committed offsets. */
  load(): Promise<Map<string, StoredOffset[]>>;
  /** Records new offsets for the group, replacing earlier ones of the same partitions. */
  save(groupId: string, offsets: readonly StoredOffset[]): Promise<void>;
  /** Forgets the group's offsets of `partitions`, or all of them. */
  delete(groupId: string, partitions?: readonly TopicPartition[]): Promise<void>;
}
