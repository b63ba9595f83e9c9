/*
 * When to try again after a failed request: exponential backoff with "equal jitter" (half the
 * delay fixed, half random), so many clients that failed together do not retry together, yet no
 * retry comes sooner than half the schedule. A server's Retry-After wins over the schedule.
 */

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

/** The delay before retry number `attempt` (0: the first retry). */
export function backoffDelay(
  attempt: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(settings.maxMs, settings.initialMs * 2 ** Math.min(attempt, 52));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** RFC 9110's HTTP-date: IMF-fixdate, and the obsolete RFC 850 and asctime forms. */
const HTTP_DATE = [
  new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`),
  new RegExp(`^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`),
];
const ASCTIME = 2;

/**
 * Retry-After in milliseconds: delta-seconds ("120") or an HTTP date; null when absent or
 * unreadable. A date in the past means now (0).
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // only an HTTP-date: Date.parse takes nearly anything ("-1", "5, 5") as some date in the past,
  // which would retry at once instead of backing off
  const form = HTTP_DATE.findIndex((f) => f.test(text));
  if (form < 0) return null;
  // asctime names no zone; HTTP dates are all GMT (Date.parse would read it as local time)
  const date = Date.parse(form === ASCTIME ? `${text} GMT` : text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/**
 * The wait before the next attempt: the server's Retry-After if it sent one (up to
 * `retryAfterCapMs`, the backoff's cap unless said), else the backoff. A Retry-After below the
 * backoff's fixed half ("0", a date the local clock has passed) waits that half, or a server that
 * keeps answering so would be asked again in a tight loop.
 */
export function retryDelay(
  attempt: number,
  settings: BackoffSettings,
  retryAfterMs: number | null,
  random: () => number = Math.random,
  retryAfterCapMs: number = settings.maxMs,
): number {
  if (retryAfterMs === null) return backoffDelay(attempt, settings, random);
  const floor = Math.round(Math.min(settings.maxMs, settings.initialMs * 2 ** Math.min(attempt, 52)) / 2);
  return Math.min(Math.max(retryAfterMs, floor), retryAfterCapMs);
}

/** Statuses worth retrying: timeouts, throttling and server errors. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
