import { describe, expect, it } from '@jest/globals';
import { sinkConsumes, topicsPattern } from './topic-name.js';

describe('topics.regex', () => {
  it("matches whole topic names, as Kafka's pattern subscription does", () => {
    const consumes = sinkConsumes({ 'topics.regex': 'orders|payments\\..*' });
    expect(['orders', 'payments.eu', 'orders-dlq', 'old.orders', 'payments'].filter(consumes)).toEqual([
      'orders',
      'payments.eu',
    ]);
  });

  it("takes Java's leading (?i) for a pattern that ignores case", () => {
    expect(['Orders', 'ORDERS', 'orders-x'].filter(sinkConsumes({ 'topics.regex': '(?i)orders' }))).toEqual([
      'Orders',
      'ORDERS',
    ]);
  });

  it('says what is wrong with a pattern, in the terms it was written in', () => {
    expect(() => topicsPattern('orders[')).toThrow('/orders[/: Unterminated character class');
  });

  it('takes a topics list otherwise', () => {
    expect(['a', 'b', 'c'].filter(sinkConsumes({ topics: 'a, c' }))).toEqual(['a', 'c']);
  });
});
