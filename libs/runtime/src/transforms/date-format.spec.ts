import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DateFormat } from './date-format.js';

const AT = new Date(Date.UTC(2024, 2, 5, 14, 7, 9, 45));

describe('DateFormat', () => {
  it('formats the common SimpleDateFormat letters in UTC', () => {
    expect(new DateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").format(AT)).toBe('2024-03-05T14:07:09.045Z');
    expect(new DateFormat('yyyyMMdd').format(AT)).toBe('20240305');
    expect(new DateFormat('yy-M-d h:mm a').format(AT)).toBe('24-3-5 2:07 PM');
    expect(new DateFormat('EEE, dd MMM yyyy HH:mm:ss Z').format(AT)).toBe('Tue, 05 Mar 2024 14:07:09 +0000');
    expect(new DateFormat("EEEE d MMMM yyyy 'at' HH 'o''clock' X").format(AT)).toBe(
      "Tuesday 5 March 2024 at 14 o'clock Z",
    );
    expect(new DateFormat('D').format(AT)).toBe('65');
  });

  it('parses what it formats', () => {
    const patterns = [
      "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
      'yyyyMMddHHmmssSSS',
      'dd MMM yyyy HH:mm:ss.SSS',
      'MMMM d yyyy h:mm:ss.SSS a',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }),
        fc.constantFrom(...patterns),
        (ms, pattern) => {
          const format = new DateFormat(pattern);
          expect(format.parse(format.format(new Date(ms))).getTime()).toBe(ms);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('parses zone offsets, lenient values and ignores trailing text as Java does', () => {
    expect(new DateFormat("yyyy-MM-dd'T'HH:mmXXX").parse('2024-03-05T16:07+02:00')).toEqual(
      new Date(Date.UTC(2024, 2, 5, 14, 7)),
    );
    expect(new DateFormat('yyyy-MM-dd HH:mm Z').parse('2024-03-05 09:07 -0500')).toEqual(
      new Date(Date.UTC(2024, 2, 5, 14, 7)),
    );
    expect(new DateFormat('yyyy-MM-dd').parse('2024-13-01')).toEqual(new Date(Date.UTC(2025, 0, 1)));
    expect(new DateFormat('yyyy-MM-dd').parse('2024-03-05T10:00')).toEqual(new Date(Date.UTC(2024, 2, 5)));
    expect(new DateFormat('yy-MM-dd').parse('24-03-05')).toEqual(new Date(Date.UTC(2024, 2, 5)));
    expect(new DateFormat('yyyy').parse('0042').getUTCFullYear()).toBe(42);
  });

  it('rejects bad patterns and unparseable text', () => {
    expect(() => new DateFormat('yyyy-qq')).toThrow(/Unsupported pattern letter 'q'/);
    expect(() => new DateFormat("yyyy'T")).toThrow(/Unterminated quote/);
    expect(() => new DateFormat('yyyy-MM-dd').parse('2024/03/05')).toThrow(/expected "-" at position 4/);
    expect(() => new DateFormat('yyyy-MM-dd').parse('x')).toThrow(/expected a year/);
  });
});
