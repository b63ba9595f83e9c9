import { describe, expect, it } from '@jest/globals';
import { DropHeaders } from './drop-headers.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

describe('DropHeaders', () => {
  it('removes every header of the listed names', () => {
    const t = new DropHeaders();
    t.configure({ headers: 'a, b' });
    const out = t.apply(
      sourceRecord({
        headers: [
          { key: 'a', value: 1 },
          { key: 'c', value: 2 },
          { key: 'b', value: 3 },
          { key: 'a', value: 4 },
        ],
      }),
    )!;
    expect(out.headers).toEqual([{ key: 'c', value: 2 }]);
    const none = sourceRecord({ headers: [{ key: 'c', value: 1 }] });
    expect(t.apply(none)).toBe(none);
  });

  it('requires headers', () => {
    expect(() => new DropHeaders().configure({ headers: '' })).toThrow(/headers is required/);
  });
});
