import {
  ConfigField,
  DataError,
  LogicalTypes,
  SchemaBuilder,
  type ConnectRecord,
  type Schema,
  type SchemaType,
  type Transformation,
} from '@sluice/connect-api';
import { ArrayNotEmpty, IsArray } from 'class-validator';
import { decimalScale, unscaledAt } from '../converters/decimal.js';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { errorText, Satisfies } from './config-validators.js';
import { DateFormat } from './date-format.js';
import {
  describeType,
  fieldEntries,
  fieldMapLike,
  requireMap,
  requireStruct,
  setOwn,
  structGet,
} from './field-map.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';
import { copySchemaBasics, requireStructSchema, SchemaCache } from './schema-util.js';

export type CastType = 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'boolean' | 'string';
const CAST_TYPES: readonly CastType[] = [
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
];
const UNCASTABLE: readonly SchemaType[] = ['struct', 'array', 'map'];

/** Either one type for the whole key/value, or a type per top-level field. */
export type CastSpec =
  { kind: 'whole'; type: CastType } | { kind: 'fields'; casts: ReadonlyMap<string, CastType> };

/** Reads `spec` entries ("int32" or "age:int32", "score:float64"); throws an Error naming the bad entry. */
export function parseCastSpec(entries: readonly string[]): CastSpec {
  const typeOf = (text: string): CastType => {
    const type = text.trim().toLowerCase() as CastType;
    if (!CAST_TYPES.includes(type))
      throw new Error(`unknown type "${text.trim()}" (use one of ${CAST_TYPES.join(', ')})`);
    return type;
  };
  if (entries.length === 1 && !entries[0]!.includes(':')) return { kind: 'whole', type: typeOf(entries[0]!) };
  const casts = new Map<string, CastType>();
  for (const entry of entries) {
    const colon = entry.lastIndexOf(':');
    const field = entry.slice(0, colon).trim();
    if (colon < 0 || field === '')
      throw new Error(`"${entry}" is not field:type (a single type applies only to the whole value)`);
    casts.set(field, typeOf(entry.slice(colon + 1)));
  }
  return { kind: 'fields', casts };
}

export class CastConfig {
  @ConfigField({
    doc: 'Either one type for the whole key/value (e.g. int64), or a list of field:type pairs (e.g. age:int32,score:float64). Types: int8, int16, int32, int64, float32, float64, boolean, string.',
    type: 'LIST',
    required: true,
  })
  @IsArray()
  @ArrayNotEmpty()
  @Satisfies('castSpec', (value) =>
    Array.isArray(value) && value.length > 0 ? errorText(() => parseCastSpec(value.map(String))) : null,
  )
  spec: string[] = [];
}

const PURPOSE = 'cast types';

/**
 * Casts the whole key/value, or some of its top-level fields, to another primitive type, as
 * Kafka's Cast: numbers truncate toward zero and wrap into the narrower integer types, strings
 * parse (and fail as a DataError when they do not), booleans become 1/0 and numbers are true when
 * non-zero, bytes cast to string as base64, and dates to string in ISO 8601. Nulls stay null;
 * tombstones pass through untouched.
 */
export class Cast<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private spec: CastSpec | null = null;
  private readonly schemas = new SchemaCache();

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'Cast$Key' : 'Cast$Value';
  }

  configClass(): typeof CastConfig {
    return CastConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    this.spec = parseCastSpec(parsePluginConfig(this.pluginName, CastConfig, config).spec);
  }

  apply(record: R): R | null {
    const spec = this.spec;
    if (!spec) throw notConfigured(this.pluginName);
    const value = partValue(record, this.part);
    if (value === null || value === undefined) return record;
    const schema = partSchema(record, this.part);
    if (spec.kind === 'whole') {
      const updated = schema && this.schemas.get(schema, (s) => wholeSchema(s, spec.type));
      return withPart(record, this.part, updated, castValue(value, schema, spec.type));
    }
    if (schema === null) {
      const map = requireMap(value, PURPOSE);
      const entries = fieldEntries(map).map(([name, v]): [string, unknown] => {
        const type = spec.casts.get(name);
        return [name, type ? castValue(v, null, type) : v];
      });
      return withPart(record, this.part, null, fieldMapLike(map, entries));
    }
    const struct = requireStruct(value, PURPOSE);
    const updated = this.schemas.get(schema, (s) => fieldsSchema(s, spec.casts));
    const out: Record<string, unknown> = {};
    for (const field of schema.fields ?? []) {
      const type = spec.casts.get(field.name);
      const v = structGet(struct, field.name);
      setOwn(out, field.name, type ? castValue(v, field.schema, type) : v);
    }
    return withPart(record, this.part, updated, out);
  }
}

function requireCastable(schema: Schema): void {
  if (UNCASTABLE.includes(schema.type))
    throw new DataError(`Cast transformation does not support casting to/from ${schema.type}`);
}

function wholeSchema(input: Schema, type: CastType): Schema {
  requireCastable(input);
  // A logical type's name describes its old representation, so it does not carry over.
  const builder = isLogical(input)
    ? SchemaBuilder.type(type).optional(input.optional).doc(input.doc)
    : copySchemaBasics(input, SchemaBuilder.type(type));
  if (input.defaultValue !== undefined && input.defaultValue !== null)
    builder.defaultValue(castValue(input.defaultValue, input, type));
  return builder.build();
}

function fieldsSchema(input: Schema, casts: ReadonlyMap<string, CastType>): Schema {
  requireStructSchema(input, PURPOSE);
  const builder = copySchemaBasics(input, SchemaBuilder.struct());
  for (const field of input.fields ?? []) {
    const type = casts.get(field.name);
    if (!type) {
      builder.field(field.name, field.schema);
      continue;
    }
    requireCastable(field.schema);
    const cast = SchemaBuilder.type(type).optional(field.schema.optional);
    if (field.schema.defaultValue !== undefined && field.schema.defaultValue !== null)
      cast.defaultValue(castValue(field.schema.defaultValue, field.schema, type));
    builder.field(field.name, cast.build());
  }
  return builder.build();
}

function isLogical(schema: Schema): boolean {
  return (Object.values(LogicalTypes) as string[]).includes(schema.name ?? '');
}

const ISO_DATE = new DateFormat('yyyy-MM-dd');
const ISO_TIME = new DateFormat("HH:mm:ss.SSS'Z'");
const ISO_TIMESTAMP = new DateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
const DAY_MS = 86_400_000;

/** Kafka's Values.dateFormatFor: by the logical type when known, else by what the value looks like. */
function formatDate(date: Date, schema: Schema | null): string {
  const t = date.getTime();
  if (schema?.name === LogicalTypes.DATE) return ISO_DATE.format(date);
  if (schema?.name === LogicalTypes.TIME) return ISO_TIME.format(date);
  if (schema?.name === LogicalTypes.TIMESTAMP) return ISO_TIMESTAMP.format(date);
  if (t >= 0 && t < DAY_MS) return ISO_TIME.format(date);
  if (t % DAY_MS === 0) return ISO_DATE.format(date);
  return ISO_TIMESTAMP.format(date);
}

/** Casts one value; `schema` is its schema when known (to recognise decimals and dates). */
export function castValue(value: unknown, schema: Schema | null, target: CastType): unknown {
  if (value === null || value === undefined) return null;
  const unsupported = () =>
    new DataError(`Cast transformation cannot cast a ${schema?.name ?? describeType(value)} to ${target}`);
  if (value instanceof Date) {
    if (target === 'string') return formatDate(value, schema);
    if (target === 'boolean') throw unsupported();
    return castNumber(value.getTime(), target);
  }
  if (schema?.name === LogicalTypes.DECIMAL && typeof value === 'string') {
    if (target === 'string') return value;
    if (target === 'float32' || target === 'float64') return castNumber(Number(value), target);
    // Java's BigDecimal.longValue(): the integer part exactly (truncated), not through a double
    const scale = decimalScale(schema);
    const unscaled = unscaledAt(value, scale);
    return castBigint(
      scale >= 0 ? unscaled / 10n ** BigInt(scale) : unscaled * 10n ** BigInt(-scale),
      target,
    );
  }
  if (value instanceof Uint8Array) {
    if (target === 'string')
      return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64');
    throw unsupported();
  }
  switch (typeof value) {
    case 'number':
      return castNumber(value, target);
    case 'bigint':
      return castBigint(value, target);
    case 'boolean':
      if (target === 'boolean') return value;
      return target === 'string' ? String(value) : castNumber(value ? 1 : 0, target);
    case 'string':
      return castString(value, target);
    default:
      throw unsupported();
  }
}

const BITS = { int8: 8, int16: 16, int32: 32, int64: 64 } as const;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function int64(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function castNumber(n: number, target: CastType): unknown {
  switch (target) {
    case 'int8':
    case 'int16':
    case 'int32': {
      // Java narrows a double to int by truncating and saturating, then wraps into byte/short.
      const int = Number.isNaN(n) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.trunc(n)));
      const shift = 32 - BITS[target];
      return ((int << shift) >> shift) | 0;
    }
    case 'int64': {
      if (Number.isNaN(n)) return 0;
      if (Number.isSafeInteger(Math.trunc(n))) return Math.trunc(n);
      if (n === Infinity) return INT64_MAX;
      if (n === -Infinity) return INT64_MIN;
      const big = BigInt(Math.trunc(n));
      return big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big;
    }
    case 'float32':
      return Math.fround(n);
    case 'float64':
      return n;
    case 'boolean':
      // Java's longValue() != 0: a fraction of one is false, NaN too
      return !Number.isNaN(n) && Math.trunc(n) !== 0;
    case 'string':
      return String(n);
  }
}

function castBigint(n: bigint, target: CastType): unknown {
  switch (target) {
    case 'int8':
    case 'int16':
    case 'int32':
      return Number(BigInt.asIntN(BITS[target], n));
    case 'int64':
      return int64(BigInt.asIntN(64, n));
    case 'float32':
      return Math.fround(Number(n));
    case 'float64':
      return Number(n);
    case 'boolean':
      return n !== 0n;
    case 'string':
      return n.toString();
  }
}

const FLOAT_TEXT = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;

function castString(s: string, target: CastType): unknown {
  switch (target) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64': {
      const bits = BigInt(BITS[target]);
      const n = /^[+-]?\d+$/.test(s) ? BigInt(s) : null;
      if (n === null || n < -(2n ** (bits - 1n)) || n >= 2n ** (bits - 1n))
        throw new DataError(`Cannot cast string ${JSON.stringify(s)} to ${target}`);
      return target === 'int64' ? int64(n) : Number(n);
    }
    case 'float32':
    case 'float64': {
      const text = s.trim();
      if (!FLOAT_TEXT.test(text)) throw new DataError(`Cannot cast string ${JSON.stringify(s)} to ${target}`);
      const n = Number(text.replace(/[fFdD]$/, ''));
      return target === 'float32' ? Math.fround(n) : n;
    }
    case 'boolean':
      // Java's Boolean.parseBoolean: only "true" (any case) is true.
      return s.toLowerCase() === 'true';
    case 'string':
      return s;
  }
}

export class CastKey<R extends ConnectRecord = ConnectRecord> extends Cast<R> {
  constructor() {
    super('key');
  }
}

export class CastValue<R extends ConnectRecord = ConnectRecord> extends Cast<R> {
  constructor() {
    super('value');
  }
}
