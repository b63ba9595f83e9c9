import { LogError } from '../errors.js';
import type { GroupCoordinator, GroupDescription } from '../groups/group-coordinator.js';
import type { TopicPartition } from '../record.js';
import type { LogStorage, TopicDescription } from '../storage/log-storage.js';
import { parseTopicConfig } from '../topics/topic-config.js';
import { isInternalTopic, validatePartitionCount, validateTopicName } from '../topics/topic-name.js';

export interface NewTopic {
  name: string;
  /** Default 1. */
  partitions?: number;
  /** Kafka-named settings (retention.ms, cleanup.policy, ...); strings or numbers. */
  config?: Record<string, unknown>;
}

export interface PartitionLag extends TopicPartition {
  committedOffset: number | null;
  endOffset: number;
  /** Records not yet committed: endOffset - committed (everything from the start when nothing is). */
  lag: number;
}

/** Topic and group administration, over the same storage and coordinator as producers and consumers. */
export class LogAdmin {
  constructor(
    private readonly storage: LogStorage,
    private readonly coordinator: GroupCoordinator,
  ) {}

  async createTopic(topic: NewTopic): Promise<TopicDescription> {
    const name = validateTopicName(topic.name);
    const partitions = validatePartitionCount(topic.partitions ?? 1);
    const config = parseTopicConfig(topic.config ?? {});
    await this.storage.createTopic(name, partitions, config);
    return this.storage.describeTopic(name);
  }

  /** Creates the topic unless it exists; returns whether it did. Safe to race with another creator. */
  async ensureTopic(topic: NewTopic): Promise<boolean> {
    if (this.storage.partitionCount(topic.name) !== undefined) return false;
    try {
      await this.createTopic(topic);
      return true;
    } catch (err) {
      if (err instanceof LogError && err.code === 'TOPIC_ALREADY_EXISTS') return false;
      throw err;
    }
  }

  /** Deletes the topic and, as Kafka does, every group's committed offsets in it. */
  async deleteTopic(name: string): Promise<void> {
    await this.storage.deleteTopic(name);
    await this.coordinator.forgetTopic(name);
  }

  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const all = await this.storage.listTopics();
    return options.includeInternal ? all : all.filter((t) => !isInternalTopic(t));
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.storage.describeTopic(name);
  }

  /** Changes some settings of a topic; the others keep their values. */
  async alterTopicConfig(name: string, changes: Record<string, unknown>): Promise<TopicDescription> {
    const current = await this.storage.describeTopic(name);
    await this.storage.alterTopicConfig(name, parseTopicConfig(changes, current.config));
    return this.storage.describeTopic(name);
  }

  listGroups(): ReturnType<GroupCoordinator['listGroups']> {
    return this.coordinator.listGroups();
  }

  describeGroup(groupId: string): Promise<GroupDescription> {
    return this.coordinator.describeGroup(groupId);
  }

  /** Lag of a group on every partition it has committed offsets for (or on `partitions`). */
  async groupLag(groupId: string, partitions?: TopicPartition[]): Promise<PartitionLag[]> {
    const committed = await this.coordinator.fetchOffsets(groupId, partitions);
    const wanted = partitions ?? committed;
    const result: PartitionLag[] = [];
    for (const tp of wanted) {
      if (this.storage.partitionCount(tp.topic) === undefined) continue;
      const { startOffset, endOffset } = await this.storage.offsets(tp.topic, tp.partition);
      const c = committed.find((o) => o.topic === tp.topic && o.partition === tp.partition);
      const from = c ? Math.max(c.offset, startOffset) : startOffset;
      result.push({
        topic: tp.topic,
        partition: tp.partition,
        committedOffset: c ? c.offset : null,
        endOffset,
        lag: Math.max(0, endOffset - from),
      });
    }
    return result;
  }
}
