import { describe, expect, it } from '@jest/globals';
import { parseIsoTimestamp } from './iso-timestamp.js';

describe('parseIsoTimestamp', () => {
  it('reads a date-time without an offset as UTC, whatever the host time zone', () => {
    expect(parseIsoTimestamp('2024-03-05T10:00:00')).toBe(Date.UTC(2024, 2, 5, 10));
    expect(parseIsoTimestamp('2024-03-05 10:00')).toBe(Date.UTC(2024, 2, 5, 10));
    expect(parseIsoTimestamp('2024-03-05')).toBe(Date.UTC(2024, 2, 5));
  });

  it('applies offsets and keeps milliseconds of longer fractions', () => {
    expect(parseIsoTimestamp('2024-03-05T10:00:00Z')).toBe(Date.UTC(2024, 2, 5, 10));
    expect(parseIsoTimestamp('2024-03-05T10:00:00.123456+01:00')).toBe(Date.UTC(2024, 2, 5, 9, 0, 0, 123));
    expect(parseIsoTimestamp('2024-03-05T10:00:00-0530')).toBe(Date.UTC(2024, 2, 5, 15, 30));
    expect(parseIsoTimestamp('2024-03-05T10:00:00.5+02')).toBe(Date.UTC(2024, 2, 5, 8, 0, 0, 500));
    // a year below 100 is that year, not 1900 + it
    expect(parseIsoTimestamp('0042-01-01T00:00:00Z')).toBe(new Date('0042-01-01T00:00:00Z').getTime());
  });

  it('refuses what is not ISO 8601 or not a real date', () => {
    for (const text of ['3/5/2024', 'March 5', '2024-02-30', '2024-03-05T24:00:00', '2024-3-5', '', 'soon'])
      expect(parseIsoTimestamp(text)).toBeNull();
  });
});
