import {
  ConfigField,
  DataError,
  LogicalTypes,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { ArrayNotEmpty, IsArray, IsString } from 'class-validator';
import { decimalScale, formatDecimal, unscaledAt } from '../converters/decimal.js';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import {
  describeType,
  fieldEntries,
  fieldMapLike,
  hasField,
  isFieldMap,
  requireMap,
  requireStruct,
  setOwn,
  structGet,
} from './field-map.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';

export class MaskFieldConfig {
  @ConfigField({ doc: 'Names of the fields to mask.', required: true })
  @IsArray()
  @ArrayNotEmpty()
  fields: string[] = [];

  @ConfigField({
    doc: 'Replacement for masked numbers and strings; when empty, a masked field becomes its type’s empty value (0, false, "", empty list or map, epoch).',
  })
  @IsString()
  replacement = '';
}

const PURPOSE = 'masking fields';

/**
 * Replaces the listed top-level fields with an empty value of their type (0, false, "", [], {},
 * the epoch) or with `replacement`, which applies to numbers and strings only. Schemas are
 * unchanged. Nulls stay null; tombstones pass through untouched.
 */
export class MaskField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private fields: Set<string> | null = null;
  private replacement: string | null = null;

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'MaskField$Key' : 'MaskField$Value';
  }

  configClass(): typeof MaskFieldConfig {
    return MaskFieldConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig(this.pluginName, MaskFieldConfig, config);
    this.fields = new Set(c.fields);
    this.replacement = c.replacement === '' ? null : c.replacement;
  }

  apply(record: R): R | null {
    const fields = this.fields;
    if (!fields) throw notConfigured(this.pluginName);
    const value = partValue(record, this.part);
    if (value === null || value === undefined) return record;
    const schema = partSchema(record, this.part);
    if (schema === null) {
      const map = requireMap(value, PURPOSE);
      const entries = fieldEntries(map).map(([name, v]): [string, unknown] => [
        name,
        fields.has(name) ? this.maskSchemaless(name, v) : v,
      ]);
      return withPart(record, this.part, null, fieldMapLike(map, entries));
    }
    const struct = requireStruct(value, PURPOSE);
    const out: Record<string, unknown> = {};
    for (const field of schema.fields ?? []) {
      const v = structGet(struct, field.name);
      setOwn(
        out,
        field.name,
        fields.has(field.name) && hasField(struct, field.name) ? this.mask(field.name, field.schema, v) : v,
      );
    }
    return withPart(record, this.part, schema, out);
  }

  private mask(name: string, schema: Schema, value: unknown): unknown {
    if (value === null) return null;
    const r = this.replacement;
    const unsupported = () =>
      new DataError(`Cannot mask field ${name} of type ${schema.name ?? schema.type} with a replacement`);
    switch (schema.name) {
      case LogicalTypes.DECIMAL:
        return formatDecimal(unscaledAt(r ?? '0', decimalScale(schema)), decimalScale(schema));
      case LogicalTypes.DATE:
      case LogicalTypes.TIME:
      case LogicalTypes.TIMESTAMP:
        if (r !== null) throw unsupported();
        return new Date(0);
    }
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32':
      case 'int64':
        return r === null ? 0 : integerReplacement(name, r, schema.type);
      case 'float32':
      case 'float64':
        return r === null ? 0 : numberReplacement(name, r);
      case 'string':
        return r ?? '';
      case 'boolean':
        if (r !== null) throw unsupported();
        return false;
      case 'array':
        if (r !== null) throw unsupported();
        return [];
      case 'map':
        if (r !== null) throw unsupported();
        return value instanceof Map ? new Map() : {};
      default:
        throw new DataError(`Cannot mask field ${name} of type ${schema.type}`);
    }
  }

  private maskSchemaless(name: string, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    const r = this.replacement;
    if (typeof value === 'string') return r ?? '';
    if (typeof value === 'number') return r === null ? 0 : numberReplacement(name, r);
    if (typeof value === 'bigint') return r === null ? 0n : BigInt(integerReplacement(name, r, 'int64'));
    const unsupported = () =>
      new DataError(`Cannot mask field ${name} of type ${describeType(value)} with a replacement`);
    if (
      r !== null &&
      (typeof value === 'boolean' || value instanceof Date || Array.isArray(value) || isFieldMap(value))
    )
      throw unsupported();
    if (typeof value === 'boolean') return false;
    if (value instanceof Date) return new Date(0);
    if (Array.isArray(value)) return [];
    if (value instanceof Map) return new Map();
    if (isFieldMap(value)) return {};
    throw new DataError(`Cannot mask field ${name} of type ${describeType(value)}`);
  }
}

const INT_RANGES = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

function integerReplacement(name: string, r: string, type: keyof typeof INT_RANGES): number | bigint {
  if (!/^[+-]?\d+$/.test(r.trim()))
    throw new DataError(`Unable to convert replacement ${JSON.stringify(r)} to ${type} for field ${name}`);
  const [min, max] = INT_RANGES[type];
  const n = Number(r);
  if (n >= min && n <= max) return n;
  const big = BigInt(r.trim());
  if (type === 'int64' && big >= -(2n ** 63n) && big < 2n ** 63n) return big;
  throw new DataError(`Replacement ${r} is out of range for ${type} field ${name}`);
}

function numberReplacement(name: string, r: string): number {
  const n = r.trim() === '' ? NaN : Number(r);
  if (Number.isNaN(n))
    throw new DataError(`Unable to convert replacement ${JSON.stringify(r)} to a number for field ${name}`);
  return n;
}

export class MaskFieldKey<R extends ConnectRecord = ConnectRecord> extends MaskField<R> {
  constructor() {
    super('key');
  }
}

export class MaskFieldValue<R extends ConnectRecord = ConnectRecord> extends MaskField<R> {
  constructor() {
    super('value');
  }
}
