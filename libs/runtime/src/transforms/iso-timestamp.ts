/** ISO 8601 calendar date, optionally with a time of day and an offset (Z, ±hh, ±hhmm, ±hh:mm). */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Milliseconds since the epoch of an ISO 8601 date or date-time; null for any other text. A time
 * without an offset is UTC, as a date alone is: Date.parse takes it as the host's local time, so
 * the same record would convert differently on workers in other time zones.
 */
export function parseIsoTimestamp(text: string): number | null {
  const m = ISO_8601.exec(text.trim());
  if (!m) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = m;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: that one takes years 0-99 as 1900-1999
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  date.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0').slice(0, 3)));
  let ms = date.getTime();
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    ms -= (zone[0] === '-' ? -1 : 1) * offset * 60_000;
  }
  return ms;
}
