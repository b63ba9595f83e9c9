import { LogicalTypes, quoteJson, SchemaBuilder, type Schema, type SchemaType } from '@sluice/connect-api';
import { atScale, isSpecialNumeric, strippedDecimal, unscaledBytes } from './decimal-text.js';
import { arrayDepth, parsePgArray, type PgArrayValue } from './pg-array-text.js';
import {
  INFINITY_MS,
  intervalIso,
  intervalMicros,
  NEG_INFINITY_MS,
  parseDate,
  parseInterval,
  parseTime,
  parseTimestamp,
  timestampMicros,
  timestampMillis,
  timeTzToUtcIso,
  zonedTimestampIso,
} from './pg-temporal.js';
import type { PgType, PgTypeRegistry } from './pg-type-registry.js';

export type DecimalHandlingMode = 'precise' | 'string' | 'double';
export type BinaryHandlingMode = 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
export type TimePrecisionMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';
export type IntervalHandlingMode = 'numeric' | 'string';

/** The connector settings that decide how column values are represented. */
export interface HandlingModes {
  readonly decimal: DecimalHandlingMode;
  readonly binary: BinaryHandlingMode;
  readonly time: TimePrecisionMode;
  readonly interval: IntervalHandlingMode;
  readonly moneyFractionDigits: number;
  /** unavailable.value.placeholder */
  readonly placeholder: string;
}

/**
 * Turns one column's text values (as pgoutput and COPY/SELECT in Sluice's session settings write
 * them) into Connect values under `schema`, following Debezium's PostgreSQL type mapping so its
 * consumers read the events unchanged.
 */
export interface ValueConverter {
  readonly schema: Schema;
  /** Throws UnrepresentableValueError for a value the schema cannot hold (NaN as a precise Decimal). */
  convert(text: string): unknown;
  /** The value standing for an unchanged TOASTed column; undefined when the type has no such form. */
  readonly placeholder: unknown;
  /** Set when the type has no mapping and travels as its text form: why, for a warning. */
  readonly asText?: string;
  /**
   * The JSON text of convert(text), written from the server's text itself where that is exact
   * and cheaper than converting (integers as printed, strings quoted).
   */
  readonly jsonOfText?: (text: string) => string;
}

/** A value the column's schema has no way to express (say NaN under decimal.handling.mode=precise). */
export class UnrepresentableValueError extends Error {
  override name = 'UnrepresentableValueError';
}

const DEBEZIUM = {
  JSON: 'io.debezium.data.Json',
  UUID: 'io.debezium.data.Uuid',
  XML: 'io.debezium.data.Xml',
  ENUM: 'io.debezium.data.Enum',
  BITS: 'io.debezium.data.Bits',
  TSVECTOR: 'io.debezium.data.Tsvector',
  LTREE: 'io.debezium.data.Ltree',
  VARIABLE_SCALE_DECIMAL: 'io.debezium.data.VariableScaleDecimal',
  POINT: 'io.debezium.data.geometry.Point',
  DATE: 'io.debezium.time.Date',
  TIME: 'io.debezium.time.Time',
  MICRO_TIME: 'io.debezium.time.MicroTime',
  TIMESTAMP: 'io.debezium.time.Timestamp',
  MICRO_TIMESTAMP: 'io.debezium.time.MicroTimestamp',
  ZONED_TIMESTAMP: 'io.debezium.time.ZonedTimestamp',
  ZONED_TIME: 'io.debezium.time.ZonedTime',
  MICRO_DURATION: 'io.debezium.time.MicroDuration',
  INTERVAL: 'io.debezium.time.Interval',
} as const;

const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

function named(type: SchemaType, name: string, optional: boolean, params?: Record<string, string>): Schema {
  const b = new SchemaBuilder(type).name(name).version(1).optional(optional);
  for (const [k, v] of Object.entries(params ?? {})) b.parameter(k, v);
  return b.build();
}

function plain(type: SchemaType, optional: boolean): Schema {
  return new SchemaBuilder(type).optional(optional).build();
}

const identity = (text: string): string => text;
/** The server prints integers as JSON does: sign, digits, no leading zeros. */
const integerJson = identity;

function int64(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function bytea(text: string): Buffer {
  // bytea_output=hex: "\x0a1b"
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex');
  return Buffer.from(unescapeBytea(text), 'latin1');
}

/** bytea's old escape format (only if a server overrides bytea_output): \\ and \ooo octets. */
function unescapeBytea(text: string): string {
  return text.replace(/\\(\\|[0-7]{3})/g, (_, e: string) =>
    e === '\\' ? '\\' : String.fromCharCode(parseInt(e, 8)),
  );
}

/** BitSet.toByteArray() of a bit string: bit i counted from the right, little-endian bytes, trailing zero bytes dropped. */
function bitsToBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(text.length - 1 - i) === 0x31 /* 1 */) {
      const index = i >> 3;
      while (bytes.length <= index) bytes.push(0);
      bytes[index]! |= 1 << (i & 7);
    }
  }
  return Buffer.from(bytes);
}

/** Debezium's Point: {x, y, wkb, srid} with the WKB of the point (little-endian, no SRID). */
function point(text: string): Record<string, unknown> {
  const m = /^\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)$/.exec(text);
  if (!m) throw new UnrepresentableValueError(`cannot parse point ${JSON.stringify(text)}`);
  const x = Number(m[1]);
  const y = Number(m[2]);
  const wkb = Buffer.alloc(21);
  wkb.writeUInt8(1, 0);
  wkb.writeUInt32LE(1, 1);
  wkb.writeDoubleLE(x, 5);
  wkb.writeDoubleLE(y, 13);
  return { x, y, wkb, srid: null };
}

/** money in lc_monetary=C: "$1,234.56", "-$0.50". */
function moneyText(text: string): string {
  const cleaned = text.replace(/[^0-9.-]/g, '');
  return cleaned.startsWith('-') ? `-${cleaned.replace(/-/g, '')}` : cleaned;
}

function numericTypmod(typeMod: number): { precision: number; scale: number } | null {
  if (typeMod < 4) return null;
  const t = typeMod - 4;
  // PostgreSQL 15 allows negative scales: 11 bits, sign-extended
  return { precision: (t >> 16) & 0xffff, scale: ((t & 0x7ff) ^ 1024) - 1024 };
}

/** time/timestamp precision from the typmod; -1 means the default, 6. */
function temporalPrecision(typeMod: number): number {
  return typeMod >= 0 ? typeMod : 6;
}

function placeholderFor(schema: Schema, placeholder: string): unknown {
  if (schema.type === 'string') return placeholder;
  if (schema.type === 'bytes' && schema.name === undefined) return Buffer.from(placeholder, 'utf8');
  return undefined;
}

/** Context for building converters: the registry and where to report unmapped types. */
export interface ConverterContext {
  readonly types: PgTypeRegistry;
  readonly modes: HandlingModes;
}

/**
 * The converter for a column of type `typeOid` with `typeMod`, `dims` array dimensions (from
 * pg_attribute.attndims; 0 when unknown), optional or not. Never throws: a type without a mapping
 * gets a text converter with `asText` set.
 */
export function converterFor(
  ctx: ConverterContext,
  typeOid: number,
  typeMod: number,
  optional: boolean,
  dims = 0,
): ValueConverter {
  const type = ctx.types.get(typeOid);
  if (!type) return textConverter(optional, ctx.modes, `type OID ${typeOid} is not in the catalog`);
  return converterForType(ctx, type, typeMod, optional, dims, 0);
}

function converterForType(
  ctx: ConverterContext,
  type: PgType,
  typeMod: number,
  optional: boolean,
  dims: number,
  depth: number,
): ValueConverter {
  if (depth > 16) return textConverter(optional, ctx.modes, `type ${type.name} nests too deeply`);
  if (type.typtype === 'd') {
    const base = ctx.types.get(type.baseOid);
    if (!base) return textConverter(optional, ctx.modes, `the base type of domain ${type.name} is unknown`);
    return converterForType(ctx, base, typeMod >= 0 ? typeMod : type.baseTypeMod, optional, dims, depth + 1);
  }
  if (type.category === 'A' && type.elementOid !== 0) {
    const element = ctx.types.get(type.elementOid);
    if (!element) return textConverter(optional, ctx.modes, `the element type of ${type.name} is unknown`);
    return arrayConverter(ctx, element, typeMod, optional, Math.max(1, dims), depth);
  }
  if (type.typtype === 'e') {
    const schema = named('string', DEBEZIUM.ENUM, optional, { allowed: type.enumLabels.join(',') });
    return { schema, convert: identity, placeholder: ctx.modes.placeholder, jsonOfText: quoteJson };
  }
  const scalar = scalarConverter(ctx.modes, type, typeMod, optional);
  if (scalar) return scalar;
  if (type.typtype === 'r' || type.typtype === 'm') return stringConverter(optional, ctx.modes);
  return textConverter(optional, ctx.modes, `type ${type.schema}.${type.name} has no mapping`);
}

function stringConverter(optional: boolean, modes: HandlingModes, name?: string): ValueConverter {
  const schema = name ? named('string', name, optional) : plain('string', optional);
  return { schema, convert: identity, placeholder: modes.placeholder, jsonOfText: quoteJson };
}

function textConverter(optional: boolean, modes: HandlingModes, why: string): ValueConverter {
  return {
    schema: plain('string', optional),
    convert: identity,
    placeholder: modes.placeholder,
    asText: why,
    jsonOfText: quoteJson,
  };
}

function scalarConverter(
  modes: HandlingModes,
  type: PgType,
  typeMod: number,
  optional: boolean,
): ValueConverter | null {
  const name = type.schema === 'pg_catalog' ? type.name : `${type.schema}.${type.name}`;
  const simple = (
    schema: Schema,
    convert: (text: string) => unknown,
    jsonOfText?: (text: string) => string,
  ): ValueConverter => ({
    schema,
    convert,
    placeholder: placeholderFor(schema, modes.placeholder),
    ...(jsonOfText ? { jsonOfText } : {}),
  });
  switch (name) {
    case 'int2':
      return simple(plain('int16', optional), Number, integerJson);
    case 'int4':
      return simple(plain('int32', optional), Number, integerJson);
    case 'int8':
    case 'xid8':
      return simple(plain('int64', optional), int64, integerJson);
    case 'oid':
    case 'xid':
    case 'cid':
      return simple(plain('int64', optional), Number, integerJson);
    case 'float4':
      return simple(plain('float32', optional), Number);
    case 'float8':
      return simple(plain('float64', optional), Number);
    case 'bool':
      return simple(
        plain('boolean', optional),
        (t) => t === 't',
        (t) => (t === 't' ? 'true' : 'false'),
      );
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'char':
    case 'inet':
    case 'cidr':
    case 'macaddr':
    case 'macaddr8':
    case 'tsquery':
    case 'jsonpath':
    case 'pg_lsn':
    case 'tid':
    case 'regclass':
    case 'regtype':
    case 'regproc':
    case 'regprocedure':
    case 'regoper':
    case 'regoperator':
    case 'regconfig':
    case 'regdictionary':
    case 'regnamespace':
    case 'regrole':
    case 'regcollation':
    case 'int2vector':
    case 'oidvector':
    case 'txid_snapshot':
    case 'pg_snapshot':
      return stringConverter(optional, modes);
    case 'json':
    case 'jsonb':
      return stringConverter(optional, modes, DEBEZIUM.JSON);
    case 'xml':
      return stringConverter(optional, modes, DEBEZIUM.XML);
    case 'uuid':
      return simple(named('string', DEBEZIUM.UUID, optional), identity, quoteJson);
    case 'tsvector':
      return stringConverter(optional, modes, DEBEZIUM.TSVECTOR);
    case 'numeric':
      return numericConverter(modes, typeMod, optional);
    case 'money':
      return moneyConverter(modes, optional);
    case 'bytea':
      return byteaConverter(modes, optional);
    case 'bit':
    case 'varbit': {
      if (typeMod === 1) return simple(plain('boolean', optional), (t) => t === '1');
      const length = typeMod > 0 ? typeMod : INT32_MAX;
      return simple(named('bytes', DEBEZIUM.BITS, optional, { length: String(length) }), bitsToBytes);
    }
    case 'date':
      return dateConverter(modes, optional);
    case 'time':
      return timeConverter(modes, typeMod, optional);
    case 'timetz':
      return simple(named('string', DEBEZIUM.ZONED_TIME, optional), timeTzToUtcIso);
    case 'timestamp':
      return timestampConverter(modes, typeMod, optional);
    case 'timestamptz':
      return simple(named('string', DEBEZIUM.ZONED_TIMESTAMP, optional), (t) => {
        const ts = parseTimestamp(t);
        return typeof ts === 'string' ? ts : zonedTimestampIso(ts);
      });
    case 'interval':
      return modes.interval === 'string'
        ? simple(named('string', DEBEZIUM.INTERVAL, optional), (t) => intervalIso(parseInterval(t)))
        : simple(named('int64', DEBEZIUM.MICRO_DURATION, optional), (t) => intervalMicros(parseInterval(t)));
    case 'point':
      return simple(
        new SchemaBuilder('struct')
          .name(DEBEZIUM.POINT)
          .version(1)
          .doc('Geometry (POINT)')
          .field('x', plain('float64', false))
          .field('y', plain('float64', false))
          .field('wkb', plain('bytes', true))
          .field('srid', plain('int32', true))
          .optional(optional)
          .build(),
        point,
      );
  }
  // extension types Debezium maps by name, wherever they were installed
  switch (type.name) {
    case 'citext':
      return stringConverter(optional, modes);
    case 'ltree':
      return stringConverter(optional, modes, DEBEZIUM.LTREE);
  }
  return null;
}

function numericConverter(modes: HandlingModes, typeMod: number, optional: boolean): ValueConverter {
  const tm = numericTypmod(typeMod);
  if (modes.decimal === 'string')
    return { schema: plain('string', optional), convert: specialAsDebezium, placeholder: modes.placeholder };
  if (modes.decimal === 'double')
    return { schema: plain('float64', optional), convert: Number, placeholder: undefined };
  if (tm) {
    const schema = new SchemaBuilder('bytes')
      .name(LogicalTypes.DECIMAL)
      .version(1)
      .parameter('scale', String(tm.scale))
      .parameter('connect.decimal.precision', String(tm.precision))
      .optional(optional)
      .build();
    return {
      schema,
      convert: (t) => {
        if (isSpecialNumeric(t)) throw special(t);
        return t;
      },
      placeholder: undefined,
    };
  }
  const schema = new SchemaBuilder('struct')
    .name(DEBEZIUM.VARIABLE_SCALE_DECIMAL)
    .version(1)
    .doc('Variable scaled decimal')
    .field('scale', plain('int32', false))
    .field('value', plain('bytes', false))
    .optional(optional)
    .build();
  return {
    schema,
    convert: (t) => {
      if (isSpecialNumeric(t)) throw special(t);
      const { unscaled, scale } = strippedDecimal(t);
      return { scale, value: unscaledBytes(unscaled) };
    },
    placeholder: undefined,
  };
}

/** Debezium writes special numerics in string mode by their Java enum names. */
function specialAsDebezium(text: string): string {
  switch (text) {
    case 'NaN':
      return 'NAN';
    case 'Infinity':
      return 'POSITIVE_INFINITY';
    case '-Infinity':
      return 'NEGATIVE_INFINITY';
    default:
      return text;
  }
}

function special(text: string): UnrepresentableValueError {
  return new UnrepresentableValueError(
    `numeric ${text} cannot be represented with decimal.handling.mode=precise; set decimal.handling.mode to string or double to keep such values`,
  );
}

function moneyConverter(modes: HandlingModes, optional: boolean): ValueConverter {
  const digits = modes.moneyFractionDigits;
  switch (modes.decimal) {
    case 'string':
      return {
        schema: plain('string', optional),
        convert: (t) => atScale(moneyText(t), digits),
        placeholder: modes.placeholder,
      };
    case 'double':
      return {
        schema: plain('float64', optional),
        convert: (t) => Number(moneyText(t)),
        placeholder: undefined,
      };
    case 'precise': {
      const schema = new SchemaBuilder('bytes')
        .name(LogicalTypes.DECIMAL)
        .version(1)
        .parameter('scale', String(digits))
        .optional(optional)
        .build();
      return { schema, convert: (t) => atScale(moneyText(t), digits), placeholder: undefined };
    }
  }
}

function byteaConverter(modes: HandlingModes, optional: boolean): ValueConverter {
  const { placeholder } = modes;
  switch (modes.binary) {
    case 'bytes':
      return {
        schema: plain('bytes', optional),
        convert: bytea,
        placeholder: Buffer.from(placeholder, 'utf8'),
      };
    case 'base64':
      return {
        schema: plain('string', optional),
        convert: (t) => bytea(t).toString('base64'),
        placeholder,
      };
    case 'base64-url-safe':
      return {
        schema: plain('string', optional),
        convert: (t) => bytea(t).toString('base64url'),
        placeholder,
      };
    case 'hex':
      return { schema: plain('string', optional), convert: (t) => bytea(t).toString('hex'), placeholder };
  }
}

function dateConverter(modes: HandlingModes, optional: boolean): ValueConverter {
  const schema =
    modes.time === 'connect'
      ? new SchemaBuilder('int32').name(LogicalTypes.DATE).version(1).optional(optional).build()
      : named('int32', DEBEZIUM.DATE, optional);
  return {
    schema,
    convert: (t) => {
      const days = parseDate(t);
      if (days === 'infinity') return INT32_MAX;
      if (days === '-infinity') return INT32_MIN;
      return days;
    },
    placeholder: undefined,
  };
}

function timeConverter(modes: HandlingModes, typeMod: number, optional: boolean): ValueConverter {
  if (modes.time === 'connect') {
    const schema = new SchemaBuilder('int32').name(LogicalTypes.TIME).version(1).optional(optional).build();
    return { schema, convert: (t) => Math.floor(parseTime(t) / 1000), placeholder: undefined };
  }
  if (modes.time === 'adaptive' && temporalPrecision(typeMod) <= 3)
    return {
      schema: named('int32', DEBEZIUM.TIME, optional),
      convert: (t) => Math.floor(parseTime(t) / 1000),
      placeholder: undefined,
    };
  return {
    schema: named('int64', DEBEZIUM.MICRO_TIME, optional),
    convert: parseTime,
    placeholder: undefined,
  };
}

function timestampConverter(modes: HandlingModes, typeMod: number, optional: boolean): ValueConverter {
  const millis = modes.time === 'connect' || temporalPrecision(typeMod) <= 3;
  const schema =
    modes.time === 'connect'
      ? new SchemaBuilder('int64').name(LogicalTypes.TIMESTAMP).version(1).optional(optional).build()
      : named('int64', millis ? DEBEZIUM.TIMESTAMP : DEBEZIUM.MICRO_TIMESTAMP, optional);
  return {
    schema,
    convert: (t) => {
      const ts = parseTimestamp(t);
      if (ts === 'infinity') return millis ? Number(INFINITY_MS) : INFINITY_MS * 1000n;
      if (ts === '-infinity') return millis ? Number(NEG_INFINITY_MS) : NEG_INFINITY_MS * 1000n;
      return millis ? timestampMillis(ts) : timestampMicros(ts);
    },
    placeholder: undefined,
  };
}

/** Arrays nest `dims` deep (pg_attribute.attndims); values nesting otherwise are reshaped to fit. */
function arrayConverter(
  ctx: ConverterContext,
  element: PgType,
  typeMod: number,
  optional: boolean,
  dims: number,
  depth: number,
): ValueConverter {
  const inner = converterForType(ctx, element, typeMod, true, 0, depth + 1);
  let schema = inner.schema;
  for (let d = 0; d < dims; d++)
    schema = SchemaBuilder.array(schema)
      .optional(d === dims - 1 ? optional : true)
      .build();
  const convertElement = inner.convert;
  const delimiter = element.delimiter;
  const convertLevel = (items: PgArrayValue): unknown[] =>
    items.map((item) =>
      item === null ? null : typeof item === 'string' ? convertElement(item) : convertLevel(item),
    );
  let placeholder: unknown = inner.placeholder === undefined ? undefined : [inner.placeholder];
  for (let d = 1; d < dims && placeholder !== undefined; d++) placeholder = [placeholder];
  return {
    schema,
    convert: (text) => convertLevel(reshape(parsePgArray(text, delimiter), dims)),
    placeholder,
    ...(inner.asText ? { asText: `its elements: ${inner.asText}` } : {}),
  };
}

/** Fits a parsed array to `dims` levels: deeper values are flattened, shallower ones wrapped. */
function reshape(value: PgArrayValue, dims: number): PgArrayValue {
  if (value.length === 0) return value;
  let depth = arrayDepth(value);
  let out = value;
  while (depth > dims) {
    out = out.flatMap((item) => (Array.isArray(item) ? item : [item]));
    depth--;
  }
  while (depth < dims) {
    out = [out];
    depth++;
  }
  return out;
}
