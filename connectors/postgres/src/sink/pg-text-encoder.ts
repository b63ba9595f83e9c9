import { DataError, LogicalTypes, type Schema } from '@sluice/connect-api';
import { DebeziumNames } from './debezium-names.js';

/**
 * Connect values as Postgres' text input forms, by the target column's kind: the column decides
 * (a Date goes into a date column as a day, into timestamptz as an instant), the value's schema
 * name says how to read numbers (Debezium's micros, days, nanos). Values that are already text
 * (decimals, UUIDs, JSON, ISO timestamps from io.debezium.time.Zoned*) pass unchanged and
 * Postgres parses them, so a bad one fails in the database as that record's error.
 */
export type ColumnKind =
  | 'bool'
  | 'bytea'
  | 'json'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'array'
  | 'other';

export interface ColumnCodec {
  readonly kind: ColumnKind;
  /** array columns: the elements' codec. */
  readonly element?: ColumnCodec;
}

const KIND_BY_TYPNAME: Readonly<Record<string, ColumnKind>> = {
  bool: 'bool',
  bytea: 'bytea',
  json: 'json',
  jsonb: 'json',
  date: 'date',
  time: 'time',
  timetz: 'timetz',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  interval: 'interval',
};

/** The codec of a column from pg_type.typname (element typname for arrays). */
export function codecOf(typname: string, elementTypname: string | null): ColumnCodec {
  if (elementTypname !== null) return { kind: 'array', element: codecOf(elementTypname, null) };
  return { kind: KIND_BY_TYPNAME[typname] ?? 'other' };
}

const MS_PER_DAY = 86_400_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** 'YYYY-MM-DD' (with ' BC' before year 1), from a UTC calendar day. */
function ymd(date: Date): { text: string; bc: boolean } {
  const year = date.getUTCFullYear();
  const bc = year <= 0;
  const y = bc ? 1 - year : year;
  return { text: `${pad(y, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`, bc };
}

function hms(date: Date): string {
  return `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
}

function checkedDate(ms: number): Date {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new DataError(`${ms} ms is outside the range of a date`);
  return date;
}

/** An instant given as epoch milliseconds plus extra microseconds (0-999). */
function formatInstant(ms: number, extraMicros: number, zone: boolean): string {
  const date = checkedDate(ms);
  const day = ymd(date);
  const fraction = pad(date.getUTCMilliseconds() * 1000 + extraMicros, 6);
  return `${day.text} ${hms(date)}.${fraction}${zone ? '+00' : ''}${day.bc ? ' BC' : ''}`;
}

function formatDate(ms: number): string {
  const day = ymd(checkedDate(ms));
  return day.bc ? `${day.text} BC` : day.text;
}

/** A time of day from microseconds since midnight. */
function formatTimeMicros(micros: bigint, zone: boolean): string {
  const day = 86_400_000_000n;
  const m = micros === day ? micros : ((micros % day) + day) % day; // 24:00:00 is a valid time
  const totalSeconds = Number(m / 1_000_000n);
  const fraction = Number(m % 1_000_000n);
  const h = Math.floor(totalSeconds / 3600);
  const min = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `${pad(h, 2)}:${pad(min, 2)}:${pad(s, 2)}.${pad(fraction, 6)}${zone ? '+00' : ''}`;
}

function toBigInt(value: number | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isInteger(value)) throw new DataError(`expected an integer, got ${value}`);
  return BigInt(value);
}

/** Epoch microseconds as an instant. */
function instantFromMicros(micros: bigint, zone: boolean): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const extra = Number(micros - ms * 1000n);
  return formatInstant(Number(ms), extra, zone);
}

/** The value of a number by its schema name; null when the name says nothing about it. */
function namedNumber(value: number | bigint, name: string, kind: ColumnKind): string | null {
  const zone = kind === 'timestamptz' || kind === 'timetz';
  switch (name) {
    case DebeziumNames.DATE:
      return formatDate(Number(value) * MS_PER_DAY);
    case DebeziumNames.TIME:
      return formatTimeMicros(toBigInt(value) * 1000n, zone);
    case DebeziumNames.MICRO_TIME:
      return formatTimeMicros(toBigInt(value), zone);
    case DebeziumNames.NANO_TIME:
      return formatTimeMicros(toBigInt(value) / 1000n, zone);
    case DebeziumNames.TIMESTAMP:
      return formatInstant(Number(value), 0, zone);
    case DebeziumNames.MICRO_TIMESTAMP:
      return instantFromMicros(toBigInt(value), zone);
    case DebeziumNames.NANO_TIMESTAMP:
      return instantFromMicros(toBigInt(value) / 1000n, zone);
    case DebeziumNames.MICRO_DURATION:
      return `${toBigInt(value)} microseconds`;
    // Connect's logical types as bare numbers (a schemaless pipeline, or a Cast upstream)
    case LogicalTypes.DATE:
      return formatDate(Number(value) * MS_PER_DAY);
    case LogicalTypes.TIME:
      return formatTimeMicros(toBigInt(value) * 1000n, zone);
    case LogicalTypes.TIMESTAMP:
      return formatInstant(Number(value), 0, zone);
  }
  return null;
}

/**
 * A number going into a temporal column without a schema name: read as Connect's wire forms
 * (days since the epoch for a date, ms since midnight for a time, ms since the epoch for a
 * timestamp), the only unit a schemaless pipeline can mean without saying.
 */
function temporalNumber(value: number | bigint, kind: ColumnKind): string | null {
  switch (kind) {
    case 'date':
      return formatDate(plausibleMs(Number(value) * MS_PER_DAY, value, 'days'));
    case 'time':
    case 'timetz': {
      const ms = Number(value);
      if (!(ms >= 0 && ms <= MS_PER_DAY)) throw unitError(value, 'milliseconds since midnight', 'a day');
      return formatTimeMicros(toBigInt(value) * 1000n, kind === 'timetz');
    }
    case 'timestamp':
    case 'timestamptz':
      return formatInstant(plausibleMs(Number(value), value, 'milliseconds'), 0, kind === 'timestamptz');
  }
  return null;
}

/** 9999-12-31T23:59:59.999Z: past it, a number is in another unit, not a date to write. */
const LAST_PLAUSIBLE_MS = 253_402_300_799_999;

/**
 * Microseconds read as milliseconds land tens of thousands of years away, and Postgres takes
 * them: refused instead, saying what would carry the unit.
 */
function plausibleMs(ms: number, value: number | bigint, unit: string): number {
  if (Math.abs(ms) > LAST_PLAUSIBLE_MS) throw unitError(value, `${unit} since the epoch`, 'the year 9999');
  return ms;
}

function unitError(value: number | bigint, unit: string, beyond: string): DataError {
  return new DataError(
    `${String(value)} read as ${unit} is past ${beyond}: a number in another unit (Debezium's MicroTimestamp, NanoTimestamp, MicroTime) needs its schema to say so (value.converter.schemas.enable=true)`,
  );
}

function dateText(value: Date, kind: ColumnKind): string {
  const ms = value.getTime();
  switch (kind) {
    case 'date':
      return formatDate(ms);
    case 'time':
    case 'timetz':
      return formatTimeMicros(
        BigInt(((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) * 1000n,
        kind === 'timetz',
      );
    case 'timestamp':
      return formatInstant(ms, 0, false);
    default:
      return formatInstant(ms, 0, true);
  }
}

/** Debezium's VariableScaleDecimal: { scale: int32, value: bytes (unscaled, two's complement) }. */
function variableScaleDecimal(value: unknown): string {
  const v = value as { scale?: unknown; value?: unknown };
  if (typeof v.scale !== 'number' || !Buffer.isBuffer(v.value))
    throw new DataError('a VariableScaleDecimal needs an int scale and bytes value');
  let unscaled = 0n;
  for (const byte of v.value) unscaled = (unscaled << 8n) | BigInt(byte);
  if (v.value.length > 0 && (v.value[0]! & 0x80) !== 0) unscaled -= 1n << BigInt(v.value.length * 8);
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (v.scale <= 0) return `${negative ? '-' : ''}${digits}${'0'.repeat(-v.scale)}`;
  digits = digits.padStart(v.scale + 1, '0');
  const point = digits.length - v.scale;
  return `${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** JSON text of a Connect value: bigints exact, bytes base64, dates ISO, Maps as objects. */
export function jsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
  return `{${entries.map(([k, v]) => `${JSON.stringify(String(k))}:${jsonText(v)}`).join(',')}}`;
}

function arrayLiteral(
  values: readonly unknown[],
  elementSchema: Schema | null,
  element: ColumnCodec,
): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Array.isArray(v)) {
      parts[i] = arrayLiteral(v, elementSchema?.valueSchema ?? null, element);
      continue;
    }
    const text = pgText(v, elementSchema, element);
    parts[i] = text === null ? 'NULL' : `"${text.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}

/** The text Postgres reads `value` from for a column of `codec`; null for SQL NULL. */
export function pgText(value: unknown, schema: Schema | null, codec: ColumnCodec): string | null {
  if (value === null || value === undefined) return null;
  const kind = codec.kind;
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
    case 'bigint': {
      const name = schema?.name;
      const named = name === undefined ? null : namedNumber(value, name, kind);
      if (named !== null) return named;
      const temporal = temporalNumber(value, kind);
      if (temporal !== null) return temporal;
      return kind === 'json' ? jsonText(value) : String(value);
    }
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new DataError('an invalid Date');
    return kind === 'json' ? jsonText(value) : dateText(value, kind);
  }
  if (Buffer.isBuffer(value)) {
    if (kind === 'bytea') return `\\x${value.toString('hex')}`;
    return kind === 'json' ? jsonText(value) : value.toString('base64');
  }
  if (Array.isArray(value)) {
    if (kind === 'array') return arrayLiteral(value, schema?.valueSchema ?? null, codec.element!);
    return jsonText(value);
  }
  if (schema?.name === DebeziumNames.VARIABLE_SCALE_DECIMAL) return variableScaleDecimal(value);
  return jsonText(value);
}

const COPY_SPECIAL = /[\\\n\r\t]/;

/** A value as a field of COPY's text format: backslash, tab, newline and CR escaped. */
export function copyField(text: string | null): string {
  if (text === null) return '\\N';
  if (!COPY_SPECIAL.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return out;
}
