import type { TopicPartition } from '../../record.js';

/**
 * How members give up partitions around a rebalance.
 * - EAGER: every member revokes everything before it rejoins; the assignor may move anything.
 * - COOPERATIVE: members keep what they own while they rejoin; the assignor must never hand a
 *   member a partition another member still owns (it only takes it away from the owner, who
 *   revokes it and rejoins, and the follow-up rebalance gives it to its new member).
 */
export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE';

export type MemberId = string;

export interface MemberSubscription {
  topics: readonly string[];
  /** What the member holds as it joins: empty under EAGER, its current assignment under COOPERATIVE. */
  ownedPartitions: readonly TopicPartition[];
  /** The generation in which the member got `ownedPartitions`; decides between rival claims. */
  generation?: number;
}

/**
 * Runs on the group leader and divides the subscribed partitions among the members. Contract:
 * pure and deterministic (the same input gives the same output whatever the map orders), every
 * member of `subscriptions` has an entry in the result (maybe empty), each partition goes to at
 * most one member, and only to a member subscribed to its topic. Topics missing from
 * `partitionsPerTopic` (unknown or deleted) are not assigned.
 */
export interface PartitionAssignor {
  /** The protocol name members advertise, e.g. "range" or "cooperative-sticky". */
  readonly name: string;
  readonly rebalanceProtocol: RebalanceProtocol;
  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    subscriptions: ReadonlyMap<MemberId, MemberSubscription>,
  ): Map<MemberId, TopicPartition[]>;
}

export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Member ids in a stable order, so assignments never depend on Map insertion order. */
export function sortedMemberIds(subscriptions: ReadonlyMap<MemberId, unknown>): MemberId[] {
  return [...subscriptions.keys()].sort(compareStrings);
}
