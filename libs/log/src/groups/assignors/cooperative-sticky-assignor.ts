import { topicPartitionKey, type TopicPartition } from '../../record.js';
import {
  compareStrings,
  compareTopicPartitions,
  sortedMemberIds,
  type MemberId,
  type MemberSubscription,
  type PartitionAssignor,
} from './partition-assignor.js';
import { resolveOwnership, withholdTransfers, type PartitionOwnership } from './partition-ownership.js';

/**
 * Kafka's CooperativeStickyAssignor.
 *
 * - Balanced: no member could take a partition it subscribes to from a member that has two or
 *   more partitions than it (so members with the same subscription differ by at most one).
 * - Sticky: members keep what they own unless balance needs it elsewhere; what must move is taken
 *   from the fullest members first, and a member sheds partitions it was only just given before
 *   any it owned.
 * - Cooperative: a partition bound for a new member is left out of this round (see
 *   withholdTransfers); its owner revokes it and the follow-up rebalance hands it over.
 *
 * The steps: keep each owner's partitions (when it still subscribes and they still exist), give the
 * rest out one at a time to the least-loaded eligible member (partitions with the fewest eligible
 * members first), then move partitions from the fullest to the emptiest members until balanced.
 * Each move lowers the sum of squared member loads, so the loop ends.
 */
export class CooperativeStickyAssignor implements PartitionAssignor {
  readonly name = 'cooperative-sticky';
  readonly rebalanceProtocol = 'COOPERATIVE' as const;

  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    subscriptions: ReadonlyMap<MemberId, MemberSubscription>,
  ): Map<MemberId, TopicPartition[]> {
    const ownership = resolveOwnership(subscriptions);
    const balanced = new StickyBalancer(partitionsPerTopic, subscriptions, ownership).run();
    return withholdTransfers(balanced, ownership);
  }
}

class StickyBalancer {
  private readonly memberIds: MemberId[];
  private readonly topicsOf = new Map<MemberId, Set<string>>();
  private readonly membersOf = new Map<string, MemberId[]>();
  /** Each member's partitions as topicPartitionKey → partition. */
  private readonly held = new Map<MemberId, Map<string, TopicPartition>>();

  constructor(
    private readonly partitionsPerTopic: ReadonlyMap<string, number>,
    subscriptions: ReadonlyMap<MemberId, MemberSubscription>,
    private readonly ownership: PartitionOwnership,
  ) {
    this.memberIds = sortedMemberIds(subscriptions);
    for (const memberId of this.memberIds) {
      const topics = new Set(subscriptions.get(memberId)!.topics.filter((t) => this.partitionCount(t) > 0));
      this.topicsOf.set(memberId, topics);
      this.held.set(memberId, new Map());
      for (const topic of topics) {
        const members = this.membersOf.get(topic);
        if (members) members.push(memberId);
        else this.membersOf.set(topic, [memberId]);
      }
    }
  }

  run(): Map<MemberId, TopicPartition[]> {
    const unassigned: TopicPartition[] = [];
    for (const topic of [...this.membersOf.keys()].sort(compareStrings)) {
      const count = this.partitionCount(topic);
      for (let partition = 0; partition < count; partition++) {
        const tp = { topic, partition };
        const owner = this.ownership.owners.get(topicPartitionKey(tp));
        if (owner !== undefined && this.topicsOf.get(owner)?.has(topic)) this.give(owner, tp);
        else unassigned.push(tp);
      }
    }

    unassigned.sort((a, b) => this.membersOf.get(a.topic)!.length - this.membersOf.get(b.topic)!.length);
    for (const tp of unassigned) {
      let target: MemberId | undefined;
      for (const memberId of this.membersOf.get(tp.topic)!) {
        if (target === undefined || this.load(memberId) < this.load(target)) target = memberId;
      }
      this.give(target!, tp);
    }

    while (this.moveOne()) {
      // each move strictly improves balance; see the class comment
    }

    const result = new Map<MemberId, TopicPartition[]>();
    for (const memberId of this.memberIds) {
      result.set(memberId, [...this.held.get(memberId)!.values()].sort(compareTopicPartitions));
    }
    return result;
  }

  /** Moves one partition from a fuller member to one with at least two fewer; false when balanced. */
  private moveOne(): boolean {
    const byLoadDesc = [...this.memberIds].sort(
      (a, b) => this.load(b) - this.load(a) || compareStrings(a, b),
    );
    const byLoadAsc = [...this.memberIds].sort((a, b) => this.load(a) - this.load(b) || compareStrings(a, b));
    for (const from of byLoadDesc) {
      for (const to of byLoadAsc) {
        if (this.load(to) + 2 > this.load(from)) break;
        const tp = this.pickMovable(from, to);
        if (tp === undefined) continue;
        this.held.get(from)!.delete(topicPartitionKey(tp));
        this.give(to, tp);
        return true;
      }
    }
    return false;
  }

  /** Prefers a partition `from` did not own before this rebalance: moving it revokes nothing. */
  private pickMovable(from: MemberId, to: MemberId): TopicPartition | undefined {
    const topics = this.topicsOf.get(to)!;
    let best: TopicPartition | undefined;
    let bestOwned = true;
    for (const [key, tp] of this.held.get(from)!) {
      if (!topics.has(tp.topic)) continue;
      const owned = this.ownership.owners.get(key) === from;
      if (
        best === undefined ||
        (bestOwned && !owned) ||
        (bestOwned === owned && compareTopicPartitions(tp, best) > 0)
      ) {
        best = tp;
        bestOwned = owned;
      }
    }
    return best;
  }

  private give(memberId: MemberId, tp: TopicPartition): void {
    this.held.get(memberId)!.set(topicPartitionKey(tp), tp);
  }

  private load(memberId: MemberId): number {
    return this.held.get(memberId)!.size;
  }

  private partitionCount(topic: string): number {
    const count = this.partitionsPerTopic.get(topic);
    return count === undefined || count < 0 ? 0 : count;
  }
}
