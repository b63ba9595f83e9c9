import { describe, expect, it } from '@jest/globals';
import { parseRetryAfter, retryDelay } from './retry-backoff.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('1994-11-06T08:49:00Z');

  it('reads delta-seconds and the three forms of HTTP-date, all in GMT', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(37_000);
    // a date gone by means now
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', now)).toBe(0);
  });

  it('takes nothing else, so the backoff applies instead of an immediate retry', () => {
    for (const text of ['-1', '5, 5', '1 2', 'soon', '', '2024-01-01', 'Sun, 06 Nov 1994 08:49:37'])
      expect([text, parseRetryAfter(text, now)]).toEqual([text, null]);
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(retryDelay(0, { initialMs: 1000, maxMs: 60_000 }, parseRetryAfter('-1', now), () => 0)).toBe(500);
  });
});

describe('retryDelay', () => {
  const settings = { initialMs: 100, maxMs: 10_000 };

  it("waits the server's Retry-After, capped", () => {
    expect(retryDelay(0, settings, 2_000)).toBe(2_000);
    expect(retryDelay(0, settings, 3_600_000)).toBe(10_000);
  });

  it('waits at least the fixed half of the backoff when Retry-After says 0, growing with the attempts', () => {
    expect([0, 1, 2, 3, 10].map((attempt) => retryDelay(attempt, settings, 0))).toEqual([
      50, 100, 200, 400, 5_000,
    ]);
  });
});
