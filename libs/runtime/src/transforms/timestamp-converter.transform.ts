import {
  ConfigField,
  DataError,
  fieldOf,
  LogicalTypes,
  SchemaBuilder,
  Schemas,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { IsIn, IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { IsDateFormatPattern } from './config-validators.js';
import { DateFormat } from './date-format.js';
import { parseIsoTimestamp } from './iso-timestamp.js';
import {
  describeType,
  fieldEntries,
  fieldMapLike,
  hasField,
  requireMap,
  requireStruct,
  setOwn,
  structGet,
} from './field-map.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';
import { copySchemaBasics, requireStructSchema, SchemaCache } from './schema-util.js';

export type TimestampType = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';
const TIMESTAMP_TYPES: readonly TimestampType[] = ['string', 'unix', 'Date', 'Time', 'Timestamp'];
export type UnixPrecision = 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds';
const UNIX_PRECISIONS: readonly UnixPrecision[] = ['seconds', 'milliseconds', 'microseconds', 'nanoseconds'];

export class TimestampConverterConfig {
  @ConfigField({ doc: 'Field holding the timestamp; empty converts the whole key/value.' })
  @IsString()
  field = '';

  @ConfigField({ doc: 'Type to convert to: string, unix, Date, Time or Timestamp.', required: true })
  @IsIn(TIMESTAMP_TYPES)
  'target.type': TimestampType = 'Timestamp';

  @ConfigField({
    doc: "SimpleDateFormat pattern (in UTC) for string timestamps, read and written, e.g. yyyy-MM-dd'T'HH:mm:ss.SSS'Z'. Empty means ISO 8601.",
  })
  @IsString()
  @IsDateFormatPattern()
  format = '';

  @ConfigField({
    doc: 'Unit of unix timestamps, read and written: seconds, milliseconds, microseconds or nanoseconds.',
  })
  @IsIn(UNIX_PRECISIONS)
  'unix.precision': UnixPrecision = 'milliseconds';
}

interface Settings {
  field: string;
  target: TimestampType;
  format: DateFormat | null;
  precision: UnixPrecision;
}

const PURPOSE = 'converting timestamp formats';
const DAY_MS = 86_400_000;

/**
 * Converts a timestamp, the whole key/value or one field, between a formatted string, a unix
 * number, and the Date, Time and Timestamp logical types (JS Dates), all in UTC. The input type is
 * read from the schema, or from the value when schemaless (Date, number or bigint, string). Date
 * output drops the time of day; Time output keeps only it. Nulls stay null.
 *
 * Unlike Kafka, an empty `format` is not an error but ISO 8601 (a time without an offset in UTC).
 */
export class TimestampConverter<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private settings: Settings | null = null;
  private readonly schemas = new SchemaCache();

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'TimestampConverter$Key' : 'TimestampConverter$Value';
  }

  configClass(): typeof TimestampConverterConfig {
    return TimestampConverterConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig(this.pluginName, TimestampConverterConfig, config);
    this.settings = {
      field: c.field,
      target: c['target.type'],
      format: c.format === '' ? null : new DateFormat(c.format),
      precision: c['unix.precision'],
    };
  }

  apply(record: R): R | null {
    const s = this.settings;
    if (!s) throw notConfigured(this.pluginName);
    const schema = partSchema(record, this.part);
    const value = partValue(record, this.part) ?? null;
    if (schema === null) {
      if (value === null || s.field === '')
        return withPart(record, this.part, null, this.convert(value, inferType(value)));
      const map = requireMap(value, PURPOSE);
      const entries = fieldEntries(map).map(([name, v]): [string, unknown] => [
        name,
        name === s.field ? this.convert(v ?? null, inferType(v)) : v,
      ]);
      if (!hasField(map, s.field)) entries.push([s.field, null]);
      return withPart(record, this.part, null, fieldMapLike(map, entries));
    }
    if (s.field === '') {
      const updated = this.schemas.get(schema, (input) => targetSchema(s.target, input.optional));
      return withPart(record, this.part, updated, this.convert(value, typeOfSchema(schema)));
    }
    const updated = this.schemas.get(schema, (input) => {
      requireStructSchema(input, PURPOSE);
      const field = fieldOf(input, s.field);
      if (!field) throw new DataError(`Field does not exist: ${s.field}`);
      typeOfSchema(field.schema);
      const builder = copySchemaBasics(input, SchemaBuilder.struct());
      for (const f of input.fields ?? [])
        builder.field(f.name, f.name === s.field ? targetSchema(s.target, f.schema.optional) : f.schema);
      return builder.build();
    });
    if (value === null) return withPart(record, this.part, updated, null);
    const struct = requireStruct(value, PURPOSE);
    const inputType = typeOfSchema(fieldOf(schema, s.field)!.schema);
    const out: Record<string, unknown> = {};
    for (const f of schema.fields ?? []) {
      const v = structGet(struct, f.name);
      setOwn(out, f.name, f.name === s.field ? this.convert(v, inputType) : v);
    }
    return withPart(record, this.part, updated, out);
  }

  private convert(value: unknown, inputType: TimestampType): unknown {
    if (value === null || value === undefined) return null;
    const s = this.settings!;
    return fromDate(toDate(value, inputType, s), s);
  }
}

function inferType(value: unknown): TimestampType {
  if (value instanceof Date) return 'Timestamp';
  if (typeof value === 'number' || typeof value === 'bigint') return 'unix';
  if (typeof value === 'string') return 'string';
  if (value === null || value === undefined) return 'Timestamp';
  throw new DataError(`Expected a Date, number or string for [${PURPOSE}], found: ${describeType(value)}`);
}

function typeOfSchema(schema: Schema): TimestampType {
  switch (schema.name) {
    case LogicalTypes.TIMESTAMP:
      return 'Timestamp';
    case LogicalTypes.DATE:
      return 'Date';
    case LogicalTypes.TIME:
      return 'Time';
  }
  if (schema.type === 'string') return 'string';
  if (schema.type === 'int64') return 'unix';
  throw new DataError(
    `Schema ${schema.name ?? schema.type} does not correspond to a known timestamp type format`,
  );
}

function targetSchema(target: TimestampType, optional: boolean): Schema {
  switch (target) {
    case 'string':
      return optional ? Schemas.OPTIONAL_STRING : Schemas.STRING;
    case 'unix':
      return optional ? Schemas.OPTIONAL_INT64 : Schemas.INT64;
    case 'Date':
      return Schemas.date(optional);
    case 'Time':
      return Schemas.time(optional);
    case 'Timestamp':
      return Schemas.timestamp(optional);
  }
}

const MS_PER_UNIT: Record<UnixPrecision, number> = {
  seconds: 1000,
  milliseconds: 1,
  microseconds: 1e-3,
  nanoseconds: 1e-6,
};

function toDate(value: unknown, type: TimestampType, s: Settings): Date {
  switch (type) {
    case 'string': {
      if (typeof value !== 'string')
        throw new DataError(`Expected a string timestamp, found: ${describeType(value)}`);
      if (s.format) {
        try {
          return s.format.parse(value);
        } catch (err) {
          throw new DataError((err as Error).message, { cause: err });
        }
      }
      const ms = parseIsoTimestamp(value);
      if (ms === null) throw new DataError(`Unparseable ISO 8601 timestamp "${value}"`);
      return new Date(ms);
    }
    case 'unix': {
      if (typeof value === 'bigint') {
        // Whole milliseconds, truncated toward zero as Java's TimeUnit conversions.
        const perMs = { seconds: 0n, milliseconds: 1n, microseconds: 1000n, nanoseconds: 1_000_000n }[
          s.precision
        ];
        return new Date(Number(perMs === 0n ? value * 1000n : value / perMs));
      }
      if (typeof value !== 'number')
        throw new DataError(`Expected a unix timestamp, found: ${describeType(value)}`);
      return new Date(Math.trunc(value * MS_PER_UNIT[s.precision]));
    }
    default:
      if (value instanceof Date) return value;
      if (typeof value === 'number') return new Date(type === 'Date' ? value * DAY_MS : value);
      throw new DataError(`Expected a Date for a ${type} timestamp, found: ${describeType(value)}`);
  }
}

function fromDate(date: Date, s: Settings): unknown {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new DataError('Invalid Date');
  switch (s.target) {
    case 'string':
      return s.format ? s.format.format(date) : date.toISOString();
    case 'unix':
      switch (s.precision) {
        case 'seconds':
          return Math.trunc(ms / 1000);
        case 'milliseconds':
          return ms;
        case 'microseconds':
        case 'nanoseconds': {
          const n = ms * (s.precision === 'microseconds' ? 1000 : 1_000_000);
          return Number.isSafeInteger(n)
            ? n
            : BigInt(ms) * (s.precision === 'microseconds' ? 1000n : 1_000_000n);
        }
      }
      break;
    case 'Date':
      return new Date(Math.floor(ms / DAY_MS) * DAY_MS);
    case 'Time':
      return new Date(ms - Math.floor(ms / DAY_MS) * DAY_MS);
    case 'Timestamp':
      return new Date(ms);
  }
}

export class TimestampConverterKey<R extends ConnectRecord = ConnectRecord> extends TimestampConverter<R> {
  constructor() {
    super('key');
  }
}

export class TimestampConverterValue<R extends ConnectRecord = ConnectRecord> extends TimestampConverter<R> {
  constructor() {
    super('value');
  }
}
