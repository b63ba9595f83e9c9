import { LogicalTypes, quoteJson, writeJson, writeJsonNumber, type Schema } from '@sluice/connect-api';
import { describeType, getField, isFieldMap, type FieldMap } from '../transforms/field-map.js';
import { decimalScale, formatDecimal, unscaledAt, unscaledToBytes } from './decimal.js';
import { addStep, FieldPathError } from './field-path-error.js';
import { INT_RANGES, isPlainStruct, type PlainValueRules } from './plain-struct.js';

/** How JsonConverter writes Decimals: base64 of the unscaled bytes (Kafka's default), or a JSON number. */
export type DecimalFormat = 'BASE64' | 'NUMERIC';

const DAY_MS = 86_400_000;
const NULL_SCHEMA_HEAD = Buffer.from('{"schema":null,"payload":', 'utf8');
const ENVELOPE_TAIL = Buffer.from('}', 'utf8');
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Writes Connect data as JSON text the way Kafka's JsonConverter does: schemas in its JSON schema
 * format (`{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,...}`,
 * keys in Kafka's order), values checked against their schema, bytes as base64, Date/Time/Timestamp
 * as their int32/int64 encodings, Decimals per `decimalFormat`. Schema texts are cached per schema.
 */
export class ConnectJsonWriter {
  private readonly schemaTexts = new WeakMap<Schema, string>();
  private readonly fieldPrefixes = new WeakMap<Schema, string[]>();
  private readonly envelopeHeads = new WeakMap<Schema, Buffer>();

  /** What JSON.stringify writes exactly as value() does. */
  private readonly plainRules: PlainValueRules;

  constructor(
    private readonly decimalFormat: DecimalFormat,
    private readonly replaceNullWithDefault: boolean,
  ) {
    this.plainRules = {
      int64: (v) => typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63,
      float: (v) => typeof v === 'number' && Number.isFinite(v),
      replaceNullWithDefault,
    };
  }

  /** `{"schema":...,"payload":...}`; throws FieldPathError (a DataError) on a value not matching its schema. */
  envelope(schema: Schema | null, value: unknown): string {
    return `{"schema":${schema ? this.schema(schema) : 'null'},"payload":${this.value(schema, value)}}`;
  }

  /**
   * The envelope as parts: its head (`{"schema":...,"payload":`) as UTF-8 bytes, made once per
   * schema, then the payload's text and the closing brace.
   */
  envelopeParts(schema: Schema | null, value: unknown): [Buffer, string, Buffer] {
    return this.payloadParts(schema, this.value(schema, value));
  }

  /** The envelope's parts around a payload already written (for `schema`, or schemaless). */
  payloadParts(schema: Schema | null, payload: string): [Buffer, string, Buffer] {
    return [schema ? this.envelopeHead(schema) : NULL_SCHEMA_HEAD, payload, ENVELOPE_TAIL];
  }

  private envelopeHead(schema: Schema): Buffer {
    let head = this.envelopeHeads.get(schema);
    if (head === undefined) {
      head = Buffer.from(`{"schema":${this.schema(schema)},"payload":`, 'utf8');
      this.envelopeHeads.set(schema, head);
    }
    return head;
  }

  schema(schema: Schema): string {
    let text = this.schemaTexts.get(schema);
    if (text !== undefined) return text;
    text = `{"type":${quoteJson(schema.type)}`;
    switch (schema.type) {
      case 'array':
        text += `,"items":${this.schema(required(schema.valueSchema, 'array schema without a value schema'))}`;
        break;
      case 'map':
        text += `,"keys":${this.schema(required(schema.keySchema, 'map schema without a key schema'))}`;
        text += `,"values":${this.schema(required(schema.valueSchema, 'map schema without a value schema'))}`;
        break;
      case 'struct':
        text += `,"fields":[${(schema.fields ?? [])
          .map((f) => `${this.schema(f.schema).slice(0, -1)},"field":${quoteJson(f.name)}}`)
          .join(',')}]`;
        break;
    }
    text += `,"optional":${schema.optional}`;
    if (schema.name !== undefined) text += `,"name":${quoteJson(schema.name)}`;
    if (schema.version !== undefined) text += `,"version":${schema.version}`;
    if (schema.doc !== undefined) text += `,"doc":${quoteJson(schema.doc)}`;
    if (schema.parameters !== undefined)
      text += `,"parameters":{${Object.entries(schema.parameters)
        .map(([k, v]) => `${quoteJson(k)}:${quoteJson(v)}`)
        .join(',')}}`;
    if (schema.defaultValue !== undefined && schema.defaultValue !== null)
      text += `,"default":${this.value(schema, schema.defaultValue)}`;
    text += '}';
    this.schemaTexts.set(schema, text);
    return text;
  }

  /** The JSON text of `value` under `schema` (schemaless when null). */
  value(schema: Schema | null, value: unknown): string {
    if (value === null || value === undefined) {
      if (schema === null) return 'null';
      if (this.replaceNullWithDefault && schema.defaultValue !== undefined && schema.defaultValue !== null)
        return this.value(schema, schema.defaultValue);
      if (schema.optional) return 'null';
      throw new FieldPathError('null value for a required field with no default value');
    }
    if (schema === null) return writeJson(value);
    switch (schema.name) {
      case LogicalTypes.DECIMAL: {
        let scale: number;
        let unscaled: bigint;
        try {
          scale = decimalScale(schema);
          unscaled = unscaledAt(value, scale);
        } catch (err) {
          throw new FieldPathError((err as Error).message);
        }
        return this.decimalFormat === 'NUMERIC'
          ? formatDecimal(unscaled, scale)
          : quoteJson(unscaledToBytes(unscaled).toString('base64'));
      }
      case LogicalTypes.DATE: {
        if (typeof value === 'number' && Number.isInteger(value)) return String(value);
        const ms = dateMillis(value, 'Date');
        if (ms % DAY_MS !== 0)
          throw new FieldPathError('a Date value must be midnight UTC, with no time of day');
        return String(ms / DAY_MS);
      }
      case LogicalTypes.TIME: {
        if (typeof value === 'number' && Number.isInteger(value)) return String(value);
        const ms = dateMillis(value, 'Time');
        if (ms < 0 || ms >= DAY_MS) throw new FieldPathError('a Time value must be on 1970-01-01 UTC');
        return String(ms);
      }
      case LogicalTypes.TIMESTAMP:
        if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint')
          return String(value);
        return String(dateMillis(value, 'Timestamp'));
    }
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32': {
        const [min, max] = INT_RANGES[schema.type];
        const n = typeof value === 'bigint' ? Number(value) : value;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
          throw invalid(schema.type, value);
        return String(n);
      }
      case 'int64':
        if (typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63)
          return String(value);
        if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) return value.toString();
        throw invalid(schema.type, value);
      case 'float32':
      case 'float64':
        if (typeof value === 'number') return writeJsonNumber(value);
        if (typeof value === 'bigint') return String(Number(value));
        throw invalid(schema.type, value);
      case 'boolean':
        if (typeof value !== 'boolean') throw invalid(schema.type, value);
        return value ? 'true' : 'false';
      case 'string':
        if (typeof value !== 'string') throw invalid(schema.type, value);
        return quoteJson(value);
      case 'bytes':
        if (!(value instanceof Uint8Array)) throw invalid(schema.type, value);
        return quoteJson(Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64'));
      case 'array':
        return this.array(schema, value);
      case 'map':
        return this.map(schema, value);
      case 'struct':
        return this.struct(schema, value);
    }
  }

  private array(schema: Schema, value: unknown): string {
    if (!Array.isArray(value)) throw invalid('array', value);
    const items = required(schema.valueSchema, 'array schema without a value schema');
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      try {
        out += this.value(items, value[i]);
      } catch (err) {
        throw addStep(err, i);
      }
    }
    return `${out}]`;
  }

  /** String-keyed maps are JSON objects; other maps arrays of [key, value] pairs, as Kafka. */
  private map(schema: Schema, value: unknown): string {
    if (!isFieldMap(value)) throw invalid('map', value);
    const keys = required(schema.keySchema, 'map schema without a key schema');
    const values = required(schema.valueSchema, 'map schema without a value schema');
    const entries = value instanceof Map ? [...value] : Object.entries(value);
    const objectMode = keys.type === 'string';
    const parts: string[] = [];
    for (const [k, v] of entries) {
      try {
        parts.push(
          objectMode
            ? `${quoteJson(String(k))}:${this.value(values, v)}`
            : `[${this.value(keys, k)},${this.value(values, v)}]`,
        );
      } catch (err) {
        throw addStep(err, String(k));
      }
    }
    return objectMode ? `{${parts.join(',')}}` : `[${parts.join(',')}]`;
  }

  private struct(schema: Schema, value: unknown): string {
    // most structs (change events, rows) are plain objects of plain values: one native call
    // writes them flat, where field-by-field text built a rope that was copied again later
    if (isPlainStruct(schema, value, this.plainRules)) return JSON.stringify(value);
    if (!isFieldMap(value)) throw invalid('struct', value);
    const fields = schema.fields ?? [];
    const prefixes = this.prefixes(schema);
    let out = '{';
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (i > 0) out += ',';
      try {
        out += prefixes[i]! + this.value(field.schema, getField(value as FieldMap, field.name));
      } catch (err) {
        throw addStep(err, field.name);
      }
    }
    return `${out}}`;
  }

  /** `"name":` for each field of a struct schema, built once per schema. */
  private prefixes(schema: Schema): string[] {
    let prefixes = this.fieldPrefixes.get(schema);
    if (!prefixes) {
      prefixes = (schema.fields ?? []).map((f) => `${quoteJson(f.name)}:`);
      this.fieldPrefixes.set(schema, prefixes);
    }
    return prefixes;
  }
}

function required<T>(value: T | undefined, problem: string): T {
  if (value === undefined) throw new FieldPathError(problem);
  return value;
}

function invalid(type: string, value: unknown): FieldPathError {
  const shown =
    typeof value === 'string'
      ? ` ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
      : '';
  return new FieldPathError(`invalid value for ${type}: ${describeType(value)}${shown}`);
}

function dateMillis(value: unknown, type: string): number {
  if (!(value instanceof Date))
    throw new FieldPathError(`invalid value for ${type}: expected a Date, got ${describeType(value)}`);
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new FieldPathError(`invalid Date for ${type}`);
  return ms;
}
