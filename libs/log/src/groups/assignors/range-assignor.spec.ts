import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { TopicPartition } from '../../record.js';
import type { MemberSubscription } from './partition-assignor.js';
import { RangeAssignor } from './range-assignor.js';

const assignor = new RangeAssignor();

function subscribe(entries: [string, string[]][]): Map<string, MemberSubscription> {
  return new Map(entries.map(([id, topics]) => [id, { topics, ownedPartitions: [] }]));
}

function names(tps: TopicPartition[] | undefined): string[] {
  return (tps ?? []).map((tp) => `${tp.topic}-${tp.partition}`);
}

describe('RangeAssignor', () => {
  it('is an EAGER assignor named range', () => {
    expect(assignor.name).toBe('range');
    expect(assignor.rebalanceProtocol).toBe('EAGER');
  });

  it("gives the first members one extra partition per topic (Kafka's documented example)", () => {
    const result = assignor.assign(
      new Map([
        ['t0', 3],
        ['t1', 3],
      ]),
      subscribe([
        ['C1', ['t0', 't1']],
        ['C0', ['t0', 't1']],
      ]),
    );
    expect(names(result.get('C0'))).toEqual(['t0-0', 't0-1', 't1-0', 't1-1']);
    expect(names(result.get('C1'))).toEqual(['t0-2', 't1-2']);
  });

  it('splits each topic only among the members that subscribe to it', () => {
    const result = assignor.assign(
      new Map([
        ['a', 4],
        ['b', 2],
      ]),
      subscribe([
        ['m1', ['a']],
        ['m2', ['a', 'b']],
        ['m3', ['b']],
      ]),
    );
    expect(names(result.get('m1'))).toEqual(['a-0', 'a-1']);
    expect(names(result.get('m2'))).toEqual(['a-2', 'a-3', 'b-0']);
    expect(names(result.get('m3'))).toEqual(['b-1']);
  });

  it('skips unknown topics and still lists members left with nothing', () => {
    const result = assignor.assign(
      new Map([['a', 1]]),
      subscribe([
        ['m1', ['a', 'gone']],
        ['m2', ['a']],
      ]),
    );
    expect(names(result.get('m1'))).toEqual(['a-0']);
    expect(result.get('m2')).toEqual([]);
  });

  it('assigns every partition exactly once in contiguous ranges, extras to the first members', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 8 }),
        (partitions, members) => {
          const result = assignor.assign(
            new Map([['t', partitions]]),
            subscribe(members.map((m) => [m, ['t']])),
          );
          const sorted = [...members].sort();
          const flat = sorted.flatMap((m) => result.get(m)!.map((tp) => tp.partition));
          expect(flat).toEqual([...Array(partitions).keys()]);
          const counts = sorted.map((m) => result.get(m)!.length);
          for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1]!);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});
