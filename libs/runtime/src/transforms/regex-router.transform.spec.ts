import { describe, expect, it } from '@jest/globals';
import { ConfigException } from './config-exception.js';
import { sourceRecord } from '../testing/record-fixtures.js';
import { RegexRouter } from './regex-router.transform.js';

function configured(regex: string, replacement: string): RegexRouter {
  const t = new RegexRouter();
  t.configure({ regex, replacement });
  return t;
}

describe('RegexRouter', () => {
  it('replaces topics that match entirely, with groups', () => {
    const t = configured('(.*)-raw', '$1');
    expect(t.apply(sourceRecord({ topic: 'orders-raw' }))!.topic).toBe('orders');
    const untouched = sourceRecord({ topic: 'orders-raw-x' });
    expect(t.apply(untouched)).toBe(untouched);
  });

  it('reads Java replacement syntax', () => {
    const schemaTable = configured('db\\.(\\w+)\\.(\\w+)', '$2_$1');
    expect(schemaTable.apply(sourceRecord({ topic: 'db.public.users' }))!.topic).toBe('users_public');
    expect(
      configured('(?<schema>\\w+)\\.(?<table>\\w+)', '${table}\\$').apply(sourceRecord({ topic: 'a.b' }))!
        .topic,
    ).toBe('b$');
    expect(configured('(?i)ORDERS', 'o').apply(sourceRecord({ topic: 'orders' }))!.topic).toBe('o');
    // $12 reads as group 1 then "2" when there is no group 12, as Java does.
    expect(configured('(a)', '$12').apply(sourceRecord({ topic: 'a' }))!.topic).toBe('a2');
  });

  it('names a bad regex and a bad group reference together', () => {
    let error: unknown;
    try {
      configured('(unclosed', '$1');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigException);
    expect((error as ConfigException).errors.map((e) => e.field)).toEqual(['regex']);
    try {
      new RegexRouter().configure({ regex: '(a)', replacement: '$2' });
    } catch (err) {
      error = err;
    }
    expect((error as ConfigException).errors.map((e) => e.field)).toEqual(['replacement']);
    expect((error as Error).message).toMatch(/replacement is not a valid replacement: no group 2/);
    expect(() => new RegexRouter().configure({})).toThrow(/regex is required.*replacement is required/);
  });
});
