import type { TopicPartition } from '../../record.js';
import {
  compareStrings,
  sortedMemberIds,
  type MemberId,
  type MemberSubscription,
  type PartitionAssignor,
} from './partition-assignor.js';

/**
 * Kafka's RangeAssignor: topic by topic, the partitions are cut into contiguous ranges over the
 * subscribed members in member-id order, and the first `partitions % members` members get one
 * extra. Co-partitioned topics therefore land together (partition 0 of every topic on the same
 * member), at the price of imbalance across many topics. An EAGER assignor: it ignores ownership.
 */
export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range';
  readonly rebalanceProtocol = 'EAGER' as const;

  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    subscriptions: ReadonlyMap<MemberId, MemberSubscription>,
  ): Map<MemberId, TopicPartition[]> {
    const memberIds = sortedMemberIds(subscriptions);
    const result = new Map<MemberId, TopicPartition[]>(memberIds.map((id) => [id, []]));

    const membersPerTopic = new Map<string, MemberId[]>();
    for (const memberId of memberIds) {
      for (const topic of new Set(subscriptions.get(memberId)!.topics)) {
        const members = membersPerTopic.get(topic);
        if (members) members.push(memberId);
        else membersPerTopic.set(topic, [memberId]);
      }
    }

    for (const topic of [...membersPerTopic.keys()].sort(compareStrings)) {
      const partitions = partitionsPerTopic.get(topic);
      if (partitions === undefined || partitions <= 0) continue;
      const members = membersPerTopic.get(topic)!;
      const perMember = Math.floor(partitions / members.length);
      const extra = partitions % members.length;
      members.forEach((memberId, i) => {
        const start = perMember * i + Math.min(i, extra);
        const length = perMember + (i < extra ? 1 : 0);
        const assigned = result.get(memberId)!;
        for (let p = start; p < start + length; p++) assigned.push({ topic, partition: p });
      });
    }
    return result;
  }
}
