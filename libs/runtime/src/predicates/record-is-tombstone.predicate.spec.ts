import { describe, expect, it } from '@jest/globals';
import { sourceRecord } from '../testing/record-fixtures.js';
import { RecordIsTombstone } from './record-is-tombstone.predicate.js';

describe('RecordIsTombstone', () => {
  it('is true for null values only', () => {
    const p = new RecordIsTombstone();
    p.configure({});
    expect(p.test(sourceRecord({ key: 'k', value: null }))).toBe(true);
    expect(p.test(sourceRecord({ value: '' }))).toBe(false);
    expect(p.test(sourceRecord({ value: 0 }))).toBe(false);
  });
});
