import { describe, expect, it } from '@jest/globals';
import { sourceRecord } from '../testing/record-fixtures.js';
import { applyPredicate } from './apply-predicate.js';
import { RecordIsTombstone } from './record-is-tombstone.predicate.js';

describe('applyPredicate', () => {
  it('flips the answer when negated', () => {
    const p = new RecordIsTombstone();
    const tombstone = sourceRecord({ value: null });
    expect(applyPredicate(p, false, tombstone)).toBe(true);
    expect(applyPredicate(p, true, tombstone)).toBe(false);
    expect(applyPredicate(p, true, sourceRecord({ value: 1 }))).toBe(true);
  });
});
