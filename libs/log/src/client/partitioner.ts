import { murmur2, toPositive } from './murmur2.js';

/** Chooses a record's partition when the record names none. */
export interface Partitioner {
  /** `key` is the record's key as bytes, or null. */
  partition(topic: string, key: Buffer | null, partitionCount: number): number;
  /** Called once per send: lets keyless records of one send share a partition (and a batch). */
  nextSend?(topic: string, partitionCount: number): void;
}

/**
 * Kafka's default: keyed records go to toPositive(murmur2(key)) % partitions; keyless records of
 * one send stick to one partition, which moves on with the next send (the sticky partitioner), so
 * they form one batch instead of many small ones.
 */
export class DefaultPartitioner implements Partitioner {
  private readonly sticky = new Map<string, number>();

  partition(topic: string, key: Buffer | null, partitionCount: number): number {
    if (key !== null) return toPositive(murmur2(key)) % partitionCount;
    let p = this.sticky.get(topic);
    if (p === undefined || p >= partitionCount) {
      p = Math.floor(Math.random() * partitionCount);
      this.sticky.set(topic, p);
    }
    return p;
  }

  nextSend(topic: string, partitionCount: number): void {
    if (partitionCount <= 1) return;
    const current = this.sticky.get(topic) ?? 0;
    this.sticky.set(topic, (current + 1) % partitionCount);
  }
}
