import { describe, expect, it } from '@jest/globals';
import { murmur2, toPositive } from './murmur2.js';
import { DefaultPartitioner } from './partitioner.js';

describe('murmur2', () => {
  // Apache Kafka's UtilsTest vectors: the same key must land on the same partition as in Kafka.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %s to %d as Kafka does', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });

  it('places keys as toPositive(murmur2) % partitions', () => {
    const partitioner = new DefaultPartitioner();
    expect(partitioner.partition('t', Buffer.from('foobar'), 50)).toBe(toPositive(-790332482) % 50);
  });

  it('sends keyless records of one send to one partition and moves on with the next send', () => {
    const partitioner = new DefaultPartitioner();
    partitioner.nextSend('t', 3);
    const first = partitioner.partition('t', null, 3);
    expect(partitioner.partition('t', null, 3)).toBe(first);
    partitioner.nextSend('t', 3);
    expect(partitioner.partition('t', null, 3)).toBe((first + 1) % 3);
  });
});
