/*
 * PostgreSQL's date and time text forms (DateStyle ISO, IntervalStyle iso_8601, TimeZone UTC: the
 * session settings Sluice's connections ask for) turned into the numbers Debezium's temporal types
 * carry. Years are proleptic Gregorian with year 0 = 1 BC, as java.time counts them.
 */

export const MICROS_PER_DAY = 86_400_000_000;
const MS_PER_DAY = 86_400_000;
/** Debezium's MicroDuration month: 365.25 / 12 days, in microseconds (an exact integer). */
const MICROS_PER_MONTH = 2_629_800_000_000n;

/** Debezium's stand-ins for ±infinity timestamps (PGStatement.DATE_POSITIVE/NEGATIVE_INFINITY, in ms). */
export const INFINITY_MS = 9_223_372_036_825_200n;
export const NEG_INFINITY_MS = -9_223_372_036_832_400n;

const DATE = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const TIME_TZ = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/;
const TIMESTAMP =
  /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/;
const INTERVAL =
  /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/;

export class TemporalParseError extends Error {
  override name = 'TemporalParseError';
}

function fail(kind: string, text: string): never {
  throw new TemporalParseError(`cannot parse ${kind} ${JSON.stringify(text)}`);
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date `days` after 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function year(digits: string, bc: string | undefined): number {
  const y = Number(digits);
  return bc ? 1 - y : y;
}

function micros(fraction: string | undefined): number {
  return fraction ? Number(fraction.padEnd(6, '0')) : 0;
}

/** A date as days since the epoch; ±infinity as null (the caller picks the stand-in). */
export function parseDate(text: string): number | 'infinity' | '-infinity' {
  if (text === 'infinity' || text === '-infinity') return text;
  const m = DATE.exec(text) ?? fail('date', text);
  return daysFromCivil(year(m[1]!, m[4]), Number(m[2]), Number(m[3]));
}

/** A time of day in microseconds (24:00:00 is 86,400,000,000). */
export function parseTime(text: string): number {
  const m = TIME.exec(text) ?? fail('time', text);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + micros(m[4]);
}

/** A time with time zone as Debezium's ZonedTime: the same instant in UTC, "HH:mm:ss[.ffffff]Z". */
export function timeTzToUtcIso(text: string): string {
  const m = TIME_TZ.exec(text) ?? fail('time with time zone', text);
  const local = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + micros(m[4]);
  const offset =
    (m[5] === '-' ? -1 : 1) * ((Number(m[6]) * 60 + Number(m[7] ?? 0)) * 60 + Number(m[8] ?? 0)) * 1_000_000;
  let utc = (local - offset) % MICROS_PER_DAY;
  if (utc < 0) utc += MICROS_PER_DAY;
  return `${clock(utc)}Z`;
}

/** "HH:mm:ss" plus a fraction without trailing zeros, as java.time's ISO_LOCAL_TIME writes it. */
function clock(microsOfDay: number): string {
  const totalSeconds = Math.floor(microsOfDay / 1_000_000);
  const fraction = microsOfDay - totalSeconds * 1_000_000;
  const h = Math.floor(totalSeconds / 3600);
  const min = Math.floor(totalSeconds / 60) % 60;
  const s = totalSeconds % 60;
  let out = `${pad2(h)}:${pad2(min)}:${pad2(s)}`;
  if (fraction > 0) out += `.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
  return out;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export interface ParsedTimestamp {
  days: number;
  /** Microseconds into the day, after applying any offset (so the timestamp is UTC). */
  microsOfDay: number;
}

/** A timestamp (with or without time zone); with a zone it is moved to UTC. */
export function parseTimestamp(text: string): ParsedTimestamp | 'infinity' | '-infinity' {
  if (text === 'infinity' || text === '-infinity') return text;
  const m = TIMESTAMP.exec(text) ?? fail('timestamp', text);
  let days = daysFromCivil(year(m[1]!, m[12]), Number(m[2]), Number(m[3]));
  let microsOfDay = ((Number(m[4]) * 60 + Number(m[5])) * 60 + Number(m[6])) * 1_000_000 + micros(m[7]);
  if (m[8] !== undefined) {
    const offset =
      (m[8] === '-' ? -1 : 1) *
      ((Number(m[9]) * 60 + Number(m[10] ?? 0)) * 60 + Number(m[11] ?? 0)) *
      1_000_000;
    microsOfDay -= offset;
    while (microsOfDay < 0) {
      microsOfDay += MICROS_PER_DAY;
      days--;
    }
    while (microsOfDay >= MICROS_PER_DAY) {
      microsOfDay -= MICROS_PER_DAY;
      days++;
    }
  }
  return { days, microsOfDay };
}

/** Microseconds since the epoch: a number while exact, else a bigint. */
export function timestampMicros(ts: ParsedTimestamp): number | bigint {
  const value = ts.days * MICROS_PER_DAY + ts.microsOfDay;
  if (Number.isSafeInteger(value)) return value;
  return BigInt(ts.days) * BigInt(MICROS_PER_DAY) + BigInt(ts.microsOfDay);
}

/** Milliseconds since the epoch (sub-millisecond digits dropped, rounding toward negative infinity). */
export function timestampMillis(ts: ParsedTimestamp): number {
  return ts.days * MS_PER_DAY + Math.floor(ts.microsOfDay / 1000);
}

/** Debezium's ZonedTimestamp text: ISO-8601 in UTC, "2024-01-02T03:04:05.123456Z". */
export function zonedTimestampIso(ts: ParsedTimestamp): string {
  const { year: y, month, day } = civilFromDays(ts.days);
  return `${isoYear(y)}-${pad2(month)}-${pad2(day)}T${clock(ts.microsOfDay)}Z`;
}

/** Years as java.time writes them: four digits, a sign beyond 9999 or before year 0. */
function isoYear(y: number): string {
  if (y > 9999) return `+${y}`;
  if (y < 0) return `-${String(-y).padStart(4, '0')}`;
  return String(y).padStart(4, '0');
}

export interface IntervalParts {
  years: number;
  months: number;
  days: number;
  hours: number;
  minutes: number;
  /** Seconds with their fraction, as text ("-6.789"). */
  seconds: string;
}

/** An interval in IntervalStyle iso_8601 ("P1Y2M3DT4H5M6.789S", "PT0S"). */
export function parseInterval(text: string): IntervalParts {
  const m = INTERVAL.exec(text) ?? fail('interval', text);
  return {
    years: Number(m[1] ?? 0),
    months: Number(m[2] ?? 0),
    days: Number(m[3] ?? 0),
    hours: Number(m[4] ?? 0),
    minutes: Number(m[5] ?? 0),
    seconds: m[6] ?? '0',
  };
}

/** Debezium's MicroDuration: months count 30.4375 days. A number while exact, else a bigint. */
export function intervalMicros(p: IntervalParts): number | bigint {
  const negative = p.seconds.startsWith('-');
  const [whole = '0', fraction = ''] = p.seconds.replace('-', '').split('.');
  const secondMicros = BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
  const total =
    BigInt(p.years * 12 + p.months) * MICROS_PER_MONTH +
    BigInt(p.days) * BigInt(MICROS_PER_DAY) +
    BigInt(p.hours) * 3_600_000_000n +
    BigInt(p.minutes) * 60_000_000n +
    (negative ? -secondMicros : secondMicros);
  return total >= BigInt(Number.MIN_SAFE_INTEGER) && total <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(total)
    : total;
}

/** Debezium's io.debezium.time.Interval text: every component written, "P1Y2M3DT4H5M6.789S". */
export function intervalIso(p: IntervalParts): string {
  const seconds = p.seconds.includes('.') ? p.seconds.replace(/0+$/, '').replace(/\.$/, '') : p.seconds;
  return `P${p.years}Y${p.months}M${p.days}DT${p.hours}H${p.minutes}M${seconds}S`;
}
