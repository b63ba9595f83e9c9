import { describe, expect, it } from '@jest/globals';
import type { SourceRecord } from '@sluice/connect-api';
import { DurablePosition } from './durable-position.js';

const record = (n: number): SourceRecord =>
  ({ topic: `t${n}`, sourcePartition: {}, sourceOffset: {} }) as unknown as SourceRecord;

describe('DurablePosition', () => {
  it('releases a transaction only once its last record is durable', () => {
    const p = new DurablePosition();
    const [a, b, c] = [record(1), record(2), record(3)];
    p.emit(a);
    p.emit(b);
    p.complete(100n);
    p.emit(c);
    p.complete(200n);
    p.durableRecord(a);
    expect(p.take()).toBeNull();
    p.durableRecord(b);
    expect(p.take()).toBe(100n);
    expect(p.take()).toBeNull();
    p.durableRecord(c);
    expect(p.take()).toBe(200n);
  });

  it('releases transactions without records once everything before them is durable', () => {
    const p = new DurablePosition();
    p.complete(50n);
    expect(p.take()).toBe(50n);
    const a = record(1);
    p.emit(a);
    p.complete(80n);
    p.complete(90n);
    expect(p.take()).toBeNull();
    expect(p.caughtUp).toBe(false);
    p.durableRecord(a);
    expect(p.take()).toBe(90n);
    expect(p.caughtUp).toBe(true);
  });
});
