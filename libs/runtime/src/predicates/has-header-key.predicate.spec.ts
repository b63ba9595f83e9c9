import { describe, expect, it } from '@jest/globals';
import { sourceRecord } from '../testing/record-fixtures.js';
import { HasHeaderKey } from './has-header-key.predicate.js';

describe('HasHeaderKey', () => {
  it('looks for a header by name', () => {
    const p = new HasHeaderKey();
    p.configure({ name: 'trace' });
    expect(p.test(sourceRecord({ headers: [{ key: 'trace', value: null }] }))).toBe(true);
    expect(p.test(sourceRecord({ headers: [{ key: 'other', value: 'trace' }] }))).toBe(false);
    expect(() => new HasHeaderKey().configure({})).toThrow(/name is required/);
  });
});
