import { topicPartitionKey, type TopicPartition } from '../../record.js';
import { sortedMemberIds, type MemberId, type MemberSubscription } from './partition-assignor.js';

const NO_GENERATION = -1;

/**
 * Who holds what as a cooperative rebalance starts, from the members' own claims. Claims can
 * disagree (a member that missed a rebalance still lists what it had): the claim of the highest
 * generation wins; when several members claim a partition at that same generation, none of them
 * is believed and the partition is contested.
 */
export interface PartitionOwnership {
  /** topicPartitionKey → the member whose claim stands. */
  readonly owners: ReadonlyMap<string, MemberId>;
  /** Keys claimed by several members at the winning generation. */
  readonly contested: ReadonlySet<string>;
}

export function resolveOwnership(
  subscriptions: ReadonlyMap<MemberId, MemberSubscription>,
): PartitionOwnership {
  const best = new Map<string, { generation: number; claimants: MemberId[] }>();
  for (const memberId of sortedMemberIds(subscriptions)) {
    const subscription = subscriptions.get(memberId)!;
    const generation = subscription.generation ?? NO_GENERATION;
    const seen = new Set<string>();
    for (const tp of subscription.ownedPartitions) {
      const key = topicPartitionKey(tp);
      if (seen.has(key)) continue;
      seen.add(key);
      const current = best.get(key);
      if (current === undefined || generation > current.generation) {
        best.set(key, { generation, claimants: [memberId] });
      } else if (generation === current.generation) {
        current.claimants.push(memberId);
      }
    }
  }
  const owners = new Map<string, MemberId>();
  const contested = new Set<string>();
  for (const [key, { claimants }] of best) {
    if (claimants.length === 1) owners.set(key, claimants[0]!);
    else contested.add(key);
  }
  return { owners, contested };
}

/**
 * The cooperative rule applied to any assignment: a partition may go only to the member that owns
 * it, or to anyone when nobody does. A partition bound for another member is left out this round:
 * its owner, not finding it in its new assignment, revokes it and rejoins, and the next rebalance
 * hands it on. Contested partitions are left out too, so every claimant revokes them first.
 * Returns a new map; the input is not changed.
 */
export function withholdTransfers(
  assignment: ReadonlyMap<MemberId, readonly TopicPartition[]>,
  ownership: PartitionOwnership,
): Map<MemberId, TopicPartition[]> {
  const result = new Map<MemberId, TopicPartition[]>();
  for (const [memberId, partitions] of assignment) {
    result.set(
      memberId,
      partitions.filter((tp) => {
        const key = topicPartitionKey(tp);
        if (ownership.contested.has(key)) return false;
        const owner = ownership.owners.get(key);
        return owner === undefined || owner === memberId;
      }),
    );
  }
  return result;
}
