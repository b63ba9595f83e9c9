import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isLogError } from '../errors.js';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from './consumer-protocol.js';

const partition = fc.record({ topic: fc.string({ minLength: 1 }), partition: fc.nat() });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isLogError(err) ? err.code : 'not a LogError';
  }
  return undefined;
}

describe('consumer protocol', () => {
  it('round-trips subscriptions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string()),
        fc.array(partition),
        fc.integer({ min: -1, max: 1_000_000 }),
        fc.option(fc.uint8Array()),
        (topics, ownedPartitions, generation, userData) => {
          const data = userData === null ? null : Buffer.from(userData);
          const decoded = decodeSubscription(
            encodeSubscription({ topics, ownedPartitions, generation, userData: data }),
          );
          expect(decoded).toEqual({ topics, ownedPartitions, generation, userData: data });
        },
      ),
    );
  });

  it('round-trips assignments', () => {
    fc.assert(
      fc.property(fc.array(partition), fc.uint8Array({ minLength: 1 }), (partitions, userData) => {
        const decoded = decodeAssignment(encodeAssignment({ partitions, userData: Buffer.from(userData) }));
        expect(decoded).toEqual({ partitions, userData: Buffer.from(userData) });
      }),
    );
  });

  it('defaults what a minimal subscription leaves out', () => {
    expect(decodeSubscription(encodeSubscription({ topics: ['a'] }))).toEqual({
      topics: ['a'],
      ownedPartitions: [],
      generation: -1,
      userData: null,
    });
  });

  it('reads an empty assignment as no partitions', () => {
    expect(decodeAssignment(Buffer.alloc(0))).toEqual({ partitions: [], userData: null });
  });

  it('reads later versions, ignoring fields it does not know', () => {
    const later = Buffer.from(
      JSON.stringify({ version: 3, partitions: [{ topic: 't', partition: 1 }], rack: 'x' }),
    );
    expect(decodeAssignment(later).partitions).toEqual([{ topic: 't', partition: 1 }]);
  });

  it('answers garbage with INCONSISTENT_GROUP_PROTOCOL', () => {
    const bad = [
      Buffer.from('not json'),
      Buffer.from('[]'),
      Buffer.from('{"topics":[]}'),
      Buffer.from('{"version":0,"topics":[]}'),
      Buffer.from('{"version":1,"topics":[1]}'),
      Buffer.from('{"version":1,"topics":[],"ownedPartitions":[{"topic":"t","partition":-1}]}'),
      Buffer.from('{"version":1,"topics":[],"generation":"x"}'),
      Buffer.from('{"version":1,"topics":[],"userData":5}'),
    ];
    for (const buf of bad) expect(codeOf(() => decodeSubscription(buf))).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect(codeOf(() => decodeAssignment(Buffer.from('{"version":1}')))).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect(codeOf(() => decodeAssignment(Buffer.from([0xff, 0x00])))).toBe('INCONSISTENT_GROUP_PROTOCOL');
  });

  it('survives arbitrary bytes with a LogError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1 }), (bytes) => {
        const code = codeOf(() => decodeSubscription(Buffer.from(bytes)));
        expect(code === undefined || code === 'INCONSISTENT_GROUP_PROTOCOL').toBe(true);
      }),
    );
  });
});
