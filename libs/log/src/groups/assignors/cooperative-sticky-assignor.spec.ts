import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { topicPartitionKey, type TopicPartition } from '../../record.js';
import { CooperativeStickyAssignor } from './cooperative-sticky-assignor.js';
import type { MemberSubscription } from './partition-assignor.js';

const assignor = new CooperativeStickyAssignor();

type Subscriptions = Map<string, MemberSubscription>;
type Assignment = Map<string, TopicPartition[]>;

function tps(...names: string[]): TopicPartition[] {
  return names.map((name) => {
    const dash = name.lastIndexOf('-');
    return { topic: name.slice(0, dash), partition: Number(name.slice(dash + 1)) };
  });
}

function names(list: readonly TopicPartition[] | undefined): string[] {
  return (list ?? []).map((tp) => `${tp.topic}-${tp.partition}`);
}

/** What every member reports after it took its assignment: the cooperative member's next join. */
function afterRound(subscriptions: Subscriptions, result: Assignment, generation: number): Subscriptions {
  return new Map(
    [...subscriptions].map(([id, s]) => [
      id,
      { topics: s.topics, ownedPartitions: result.get(id) ?? [], generation },
    ]),
  );
}

function sameAssignment(a: Assignment, b: Assignment): boolean {
  if (a.size !== b.size) return false;
  for (const [id, list] of a) {
    if (names(list).join() !== names(b.get(id)).join()) return false;
  }
  return true;
}

/** Runs rebalances until the assignment stops changing; returns every round's result. */
function converge(ppt: Map<string, number>, start: Subscriptions, maxRounds = 8): Assignment[] {
  const rounds: Assignment[] = [];
  let subscriptions = start;
  for (let round = 1; round <= maxRounds; round++) {
    const result = assignor.assign(ppt, subscriptions);
    checkAssignmentInvariants(ppt, subscriptions, result);
    rounds.push(result);
    if (rounds.length >= 2 && sameAssignment(rounds[rounds.length - 2]!, result)) return rounds;
    subscriptions = afterRound(subscriptions, result, 100 + round);
  }
  throw new Error(`no convergence in ${maxRounds} rounds`);
}

/** Plain checks collected into one expect: jest's matchers are too slow for the inner loops. */
function checkAssignmentInvariants(
  ppt: Map<string, number>,
  subscriptions: Subscriptions,
  result: Assignment,
): void {
  const problems: string[] = [];
  if ([...result.keys()].sort().join() !== [...subscriptions.keys()].sort().join())
    problems.push('members differ');
  const claimedBy = new Map<string, string[]>();
  for (const [id, s] of subscriptions) {
    for (const tp of s.ownedPartitions) {
      const key = topicPartitionKey(tp);
      claimedBy.set(key, [...(claimedBy.get(key) ?? []), id]);
    }
  }
  const seen = new Set<string>();
  for (const [id, list] of result) {
    const subscription = subscriptions.get(id)!;
    for (const tp of list) {
      const key = topicPartitionKey(tp);
      if (seen.has(key)) problems.push(`${key} assigned twice`);
      seen.add(key);
      if (!subscription.topics.includes(tp.topic)) problems.push(`${key} to ${id}, not subscribed`);
      if (tp.partition >= (ppt.get(tp.topic) ?? 0)) problems.push(`${key} does not exist`);
      // Cooperative: nobody else may still hold what this member is given.
      if ((claimedBy.get(key) ?? []).some((owner) => owner !== id))
        problems.push(`${key} to ${id}, still owned`);
    }
  }
  expect(problems).toEqual([]);
}

function subscribedPartitions(ppt: Map<string, number>, subscriptions: Subscriptions): Set<string> {
  const all = new Set<string>();
  for (const s of subscriptions.values()) {
    for (const topic of s.topics) {
      for (let p = 0; p < (ppt.get(topic) ?? 0); p++) all.add(topicPartitionKey({ topic, partition: p }));
    }
  }
  return all;
}

/** Kafka's balance: no member could take a partition from one holding two or more than it. */
function expectBalanced(subscriptions: Subscriptions, result: Assignment): void {
  const problems: string[] = [];
  for (const [a, listA] of result) {
    for (const [b, listB] of result) {
      if (listA.length + 2 > listB.length) continue;
      const topicsA = subscriptions.get(a)!.topics;
      if (listB.some((tp) => topicsA.includes(tp.topic))) problems.push(`${a} could take from ${b}`);
    }
  }
  expect(problems).toEqual([]);
}

interface Scenario {
  ppt: Map<string, number>;
  subscriptions: Subscriptions;
}

/**
 * Random groups: up to 4 topics (partition count 0 = deleted), up to 6 members, and a previous
 * assignment in which each partition (including some that no longer exist) had at most one owner.
 */
function scenario(homogeneous: boolean): fc.Arbitrary<Scenario> {
  return fc
    .record({
      counts: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }),
      members: fc.integer({ min: 1, max: 6 }),
      picks: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 6, maxLength: 6 }),
      owners: fc.array(fc.integer({ min: -3, max: 5 }), { minLength: 44, maxLength: 44 }),
      order: fc.array(fc.integer(), { minLength: 6, maxLength: 6 }),
    })
    .map(({ counts, members, picks, owners, order }) => {
      const topics = counts.map((_, i) => `t${i}`);
      const ppt = new Map<string, number>();
      counts.forEach((count, i) => {
        if (count > 0) ppt.set(topics[i]!, count);
      });
      const ids = Array.from({ length: members }, (_, i) => `m${i}`);
      const owned = new Map<string, TopicPartition[]>(ids.map((id) => [id, []]));
      let slot = 0;
      counts.forEach((count, i) => {
        for (let p = 0; p <= count; p++) {
          const owner = owners[slot++ % owners.length]!;
          if (owner >= 0 && owner < members)
            owned.get(ids[owner]!)!.push({ topic: topics[i]!, partition: p });
        }
      });
      // Insertion order must not matter: shuffle it.
      const shuffled = ids
        .map((id, i) => ({ id, k: order[i]! }))
        .sort((x, y) => x.k - y.k)
        .map((x) => x.id);
      const subscriptions: Subscriptions = new Map();
      for (const id of shuffled) {
        const index = Number(id.slice(1));
        const mine = homogeneous ? topics : topics.filter((_, t) => picks[index]![t]);
        subscriptions.set(id, {
          topics: mine.length > 0 ? mine : [topics[0]!],
          ownedPartitions: owned.get(id)!,
          generation: 7,
        });
      }
      return { ppt, subscriptions };
    });
}

/** The fewest partitions that must leave their owners to reach balance, all subscriptions equal. */
function minimumMoves(ownedCounts: number[], total: number): number {
  const members = ownedCounts.length;
  const quota = Math.floor(total / members);
  const extra = total % members;
  const kept = [...ownedCounts]
    .sort((a, b) => b - a)
    .reduce((sum, owned, i) => sum + Math.min(owned, quota + (i < extra ? 1 : 0)), 0);
  return ownedCounts.reduce((a, b) => a + b, 0) - kept;
}

describe('CooperativeStickyAssignor', () => {
  it('is a COOPERATIVE assignor named cooperative-sticky', () => {
    expect(assignor.name).toBe('cooperative-sticky');
    expect(assignor.rebalanceProtocol).toBe('COOPERATIVE');
  });

  it('balances a fresh group', () => {
    const result = assignor.assign(
      new Map([
        ['a', 3],
        ['b', 3],
      ]),
      new Map([
        ['m1', { topics: ['a', 'b'], ownedPartitions: [] }],
        ['m2', { topics: ['a', 'b'], ownedPartitions: [] }],
      ]),
    );
    expect(result.get('m1')!.length).toBe(3);
    expect(result.get('m2')!.length).toBe(3);
  });

  it('takes a moving partition away from its owner first and hands it over in the follow-up round', () => {
    const ppt = new Map([['t', 4]]);
    const first: Subscriptions = new Map([
      ['m1', { topics: ['t'], ownedPartitions: tps('t-0', 't-1'), generation: 3 }],
      ['m2', { topics: ['t'], ownedPartitions: tps('t-2', 't-3'), generation: 3 }],
      ['m3', { topics: ['t'], ownedPartitions: [] }],
    ]);
    const round1 = assignor.assign(ppt, first);
    // One partition must move to m3; it is only revoked now.
    expect(names(round1.get('m1'))).toEqual(['t-0']);
    expect(names(round1.get('m2'))).toEqual(['t-2', 't-3']);
    expect(round1.get('m3')).toEqual([]);

    const round2 = assignor.assign(ppt, afterRound(first, round1, 4));
    expect(names(round2.get('m1'))).toEqual(['t-0']);
    expect(names(round2.get('m2'))).toEqual(['t-2', 't-3']);
    expect(names(round2.get('m3'))).toEqual(['t-1']);
  });

  it('lets an owner keep the one extra partition balance allows', () => {
    // 5 over 2 members is 3 + 2: m1 keeps its three, the two unowned ones fill m2.
    const ppt = new Map([['t', 5]]);
    const result = assignor.assign(
      ppt,
      new Map([
        ['m1', { topics: ['t'], ownedPartitions: tps('t-0', 't-1', 't-2'), generation: 1 }],
        ['m2', { topics: ['t'], ownedPartitions: [], generation: 1 }],
      ]),
    );
    expect(names(result.get('m1'))).toEqual(['t-0', 't-1', 't-2']);
    expect(names(result.get('m2'))).toEqual(['t-3', 't-4']);
  });

  it('lets the higher generation win a disputed partition', () => {
    const result = assignor.assign(
      new Map([['t', 2]]),
      new Map([
        ['m1', { topics: ['t'], ownedPartitions: tps('t-0'), generation: 5 }],
        ['m2', { topics: ['t'], ownedPartitions: tps('t-0', 't-1'), generation: 4 }],
      ]),
    );
    expect(names(result.get('m1'))).toEqual(['t-0']);
    expect(names(result.get('m2'))).toEqual(['t-1']);
  });

  it('believes neither claim when two members of one generation own the same partition', () => {
    const ppt = new Map([['t', 2]]);
    const first: Subscriptions = new Map([
      ['m1', { topics: ['t'], ownedPartitions: tps('t-0', 't-1'), generation: 5 }],
      ['m2', { topics: ['t'], ownedPartitions: tps('t-0'), generation: 5 }],
    ]);
    const round1 = assignor.assign(ppt, first);
    expect(names(round1.get('m1'))).toEqual(['t-1']);
    expect(round1.get('m2')).toEqual([]);
    const round2 = assignor.assign(ppt, afterRound(first, round1, 6));
    expect(names(round2.get('m1'))).toEqual(['t-1']);
    expect(names(round2.get('m2'))).toEqual(['t-0']);
  });

  it('revokes partitions of topics a member dropped before anyone else gets them', () => {
    const ppt = new Map([
      ['a', 2],
      ['b', 2],
    ]);
    const first: Subscriptions = new Map([
      ['m1', { topics: ['a'], ownedPartitions: tps('a-0', 'b-0'), generation: 2 }],
      ['m2', { topics: ['a', 'b'], ownedPartitions: tps('a-1', 'b-1'), generation: 2 }],
    ]);
    const round1 = assignor.assign(ppt, first);
    // b-0 stays with nobody while m1 revokes it; balance sends a-1 to m1, so m2 revokes that too.
    expect(names(round1.get('m1'))).toEqual(['a-0']);
    expect(names(round1.get('m2'))).toEqual(['b-1']);
    const round2 = assignor.assign(ppt, afterRound(first, round1, 3));
    expect(names(round2.get('m1'))).toEqual(['a-0', 'a-1']);
    expect(names(round2.get('m2'))).toEqual(['b-0', 'b-1']);
  });

  it('forgets deleted topics and partitions', () => {
    const result = assignor.assign(
      new Map([['a', 1]]),
      new Map([
        ['m1', { topics: ['a', 'gone'], ownedPartitions: tps('a-0', 'a-1', 'gone-0'), generation: 1 }],
        ['m2', { topics: ['a'], ownedPartitions: [], generation: 1 }],
      ]),
    );
    expect(names(result.get('m1'))).toEqual(['a-0']);
    expect(result.get('m2')).toEqual([]);
  });

  describe('properties', () => {
    it('never gives a partition twice, nor to a member that does not subscribe, nor while another holds it', () => {
      fc.assert(
        fc.property(scenario(false), ({ ppt, subscriptions }) => {
          checkAssignmentInvariants(ppt, subscriptions, assignor.assign(ppt, subscriptions));
        }),
        { numRuns: 300 },
      );
    });

    it('is deterministic whatever the order of the members', () => {
      fc.assert(
        fc.property(scenario(false), ({ ppt, subscriptions }) => {
          const reversed = new Map([...subscriptions].reverse());
          expect(sameAssignment(assignor.assign(ppt, subscriptions), assignor.assign(ppt, reversed))).toBe(
            true,
          );
        }),
        { numRuns: 100 },
      );
    });

    it('with equal subscriptions: assigns everything after one follow-up round, balanced to within one', () => {
      fc.assert(
        fc.property(scenario(true), ({ ppt, subscriptions }) => {
          const rounds = converge(ppt, subscriptions);
          expect(rounds.length).toBeLessThanOrEqual(3); // round 3 only confirms round 2
          const final = rounds[rounds.length - 1]!;
          const assigned = [...final.values()].flat().map(topicPartitionKey);
          expect(new Set(assigned)).toEqual(subscribedPartitions(ppt, subscriptions));
          const counts = [...final.values()].map((l) => l.length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }),
        { numRuns: 300 },
      );
    });

    it('with any subscriptions: converges, assigns every subscribed partition, and is balanced', () => {
      fc.assert(
        fc.property(scenario(false), ({ ppt, subscriptions }) => {
          const rounds = converge(ppt, subscriptions);
          const final = rounds[rounds.length - 1]!;
          const assigned = [...final.values()].flat().map(topicPartitionKey);
          expect(new Set(assigned)).toEqual(subscribedPartitions(ppt, subscriptions));
          expectBalanced(subscriptions, final);
        }),
        { numRuns: 300 },
      );
    });

    it('moves only the minimum when a member joins a balanced group', () => {
      fc.assert(
        fc.property(scenario(true), ({ ppt, subscriptions }) => {
          const rounds = converge(ppt, subscriptions);
          const settled = afterRound(subscriptions, rounds[rounds.length - 1]!, 50);
          const topics = [...settled.values()][0]!.topics;
          const joined: Subscriptions = new Map([...settled, ['zz-new', { topics, ownedPartitions: [] }]]);
          const result = assignor.assign(ppt, joined);

          const total = subscribedPartitions(ppt, joined).size;
          const ownedCounts = [...joined.values()].map((s) => s.ownedPartitions.length);
          let moved = 0;
          for (const [id, s] of joined) {
            const now = new Set(result.get(id)!.map(topicPartitionKey));
            moved += s.ownedPartitions.filter((tp) => !now.has(topicPartitionKey(tp))).length;
          }
          expect(moved).toBe(minimumMoves(ownedCounts, total));
        }),
        { numRuns: 300 },
      );
    });

    it('takes nothing from the members that stay when one leaves', () => {
      fc.assert(
        fc.property(scenario(true), ({ ppt, subscriptions }) => {
          fc.pre(subscriptions.size >= 2);
          const rounds = converge(ppt, subscriptions);
          const settled = afterRound(subscriptions, rounds[rounds.length - 1]!, 50);
          const leaver = [...settled.keys()].sort()[0]!;
          const remaining = new Map([...settled].filter(([id]) => id !== leaver));
          const result = assignor.assign(ppt, remaining);
          for (const [id, s] of remaining) {
            const now = new Set(result.get(id)!.map(topicPartitionKey));
            expect(s.ownedPartitions.every((tp) => now.has(topicPartitionKey(tp)))).toBe(true);
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});
