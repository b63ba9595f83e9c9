import { describe, expect, it } from '@jest/globals';
import { ConfigException } from '../transforms/config-exception.js';
import { sourceRecord } from '../testing/record-fixtures.js';
import { TopicNameMatches } from './topic-name-matches.predicate.js';

describe('TopicNameMatches', () => {
  it('matches the whole topic name', () => {
    const p = new TopicNameMatches();
    p.configure({ pattern: 'orders-.*' });
    expect(p.test(sourceRecord({ topic: 'orders-eu' }))).toBe(true);
    expect(p.test(sourceRecord({ topic: 'old-orders-eu' }))).toBe(false);
  });

  it('names a missing or invalid pattern', () => {
    expect(() => new TopicNameMatches().configure({})).toThrow(/pattern is required/);
    expect(() => new TopicNameMatches().configure({ pattern: '[' })).toThrow(ConfigException);
    expect(() => new TopicNameMatches().configure({ pattern: '[' })).toThrow(/pattern is not a valid regex/);
  });
});
