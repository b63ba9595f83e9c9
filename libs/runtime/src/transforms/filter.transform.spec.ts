import { describe, expect, it } from '@jest/globals';
import { Filter } from './filter.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

describe('Filter', () => {
  it('drops every record it is applied to', () => {
    const t = new Filter();
    t.configure({ predicate: 'isTombstone' });
    expect(t.apply(sourceRecord({ value: 'x' }))).toBeNull();
  });
});
