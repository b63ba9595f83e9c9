import {
  JsonDecimal,
  LogicalTypes,
  parseJson,
  SchemaBuilder,
  writeJson,
  type Schema,
  type SchemaType,
} from '@sluice/connect-api';
import { describeType, isPlainObject, setOwn } from '../transforms/field-map.js';
import { bytesToUnscaled, decimalScale, formatDecimal, unscaledAt } from './decimal.js';
import { addStep, FieldPathError } from './field-path-error.js';
import { LruCache } from './lru-cache.js';
import { INT_RANGES, isPlainStruct, type PlainValueRules } from './plain-struct.js';

const DAY_MS = 86_400_000;
const TYPES: readonly SchemaType[] = [
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
  'array',
  'map',
  'struct',
];
const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type JsonObject = Readonly<Record<string, unknown>>;

/**
 * Reads parsed JSON into Connect data the way Kafka's JsonConverter does: schemas from its JSON
 * schema format (cached, so records sharing a schema share one Schema object, which downstream
 * per-schema caches rely on), values checked against them. Decimals are read from base64 or from a
 * number whatever decimal.format says, as Kafka does.
 */
export class ConnectJsonReader {
  private readonly schemas: LruCache<string, Schema>;
  private lastSchemaText: string | null = null;
  private lastSchema: Schema | null = null;

  /** A parsed struct is already the value when it holds these (JSON.parse made it for one record). */
  private readonly plainRules: PlainValueRules;

  constructor(
    cacheSize: number,
    private readonly replaceNullWithDefault: boolean,
  ) {
    this.schemas = new LruCache(cacheSize);
    this.plainRules = {
      int64: (v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint',
      float: (v) => typeof v === 'number',
      replaceNullWithDefault,
    };
  }

  /** The Schema a JSON schema node describes; null for a null node. Throws FieldPathError. */
  schema(node: unknown): Schema | null {
    if (node === null || node === undefined) return null;
    const key = writeJson(node);
    let schema = this.schemas.get(key);
    if (!schema) {
      schema = this.readSchema(node);
      this.schemas.set(key, schema);
    }
    return schema;
  }

  /** The Schema of a JSON schema text, cached by the text itself (no re-serialising per record). */
  /** The text of the schema schemaFromText read last (valid JSON), which the next record likely repeats. */
  get recentSchemaText(): string | null {
    return this.lastSchemaText;
  }

  schemaFromText(text: string): Schema | null {
    if (text === 'null') return null;
    // records of a topic mostly repeat the last schema: one comparison instead of hashing the
    // whole text into the cache (which costs as much as the payload's parse for large schemas)
    if (text === this.lastSchemaText) return this.lastSchema!;
    let schema = this.schemas.get(text);
    if (!schema) {
      schema = this.readSchema(parseJson(text).value);
      this.schemas.set(text, schema);
    }
    this.lastSchemaText = text;
    this.lastSchema = schema;
    return schema;
  }

  private readSchema(node: unknown): Schema {
    if (!isPlainObject(node)) throw new FieldPathError('a schema must be a JSON object');
    const type = node['type'];
    if (typeof type !== 'string') throw new FieldPathError("schema must contain a 'type' field");
    if (!TYPES.includes(type as SchemaType)) throw new FieldPathError(`unknown schema type: ${type}`);
    let builder: SchemaBuilder;
    switch (type) {
      case 'array': {
        const items = node['items'];
        if (items === null || items === undefined)
          throw new FieldPathError('array schema did not specify the element type');
        builder = SchemaBuilder.array(this.readSchema(items));
        break;
      }
      case 'map': {
        const keys = node['keys'];
        const values = node['values'];
        if (keys === null || keys === undefined)
          throw new FieldPathError('map schema did not specify the key type');
        if (values === null || values === undefined)
          throw new FieldPathError('map schema did not specify the value type');
        builder = SchemaBuilder.map(this.readSchema(keys), this.readSchema(values));
        break;
      }
      case 'struct': {
        const fields = node['fields'];
        if (!Array.isArray(fields)) throw new FieldPathError('struct schema\'s "fields" is not an array');
        builder = SchemaBuilder.struct();
        for (const field of fields) {
          const name = isPlainObject(field) ? field['field'] : undefined;
          if (typeof name !== 'string')
            throw new FieldPathError("struct schema's field name is not specified properly");
          try {
            builder.field(name, this.readSchema(field));
          } catch (err) {
            throw addStep(
              err instanceof FieldPathError ? err : new FieldPathError((err as Error).message),
              name,
            );
          }
        }
        break;
      }
      default:
        builder = SchemaBuilder.type(type as SchemaType);
    }
    builder.optional(node['optional'] === true);
    if (typeof node['name'] === 'string') builder.name(node['name']);
    const version = node['version'];
    if (typeof version === 'number' && Number.isInteger(version)) builder.version(version);
    if (typeof node['doc'] === 'string') builder.doc(node['doc']);
    const parameters = node['parameters'];
    if (isPlainObject(parameters)) {
      for (const [k, v] of Object.entries(parameters)) {
        if (typeof v !== 'string') throw new FieldPathError('schema parameters must have string values');
        builder.parameter(k, v);
      }
    }
    const defaultNode = node['default'];
    if (defaultNode !== undefined && defaultNode !== null)
      builder.defaultValue(this.value(builder.build(), defaultNode));
    return builder.build();
  }

  /** The Connect value of a JSON node under `schema`; schemaless when null. Throws FieldPathError. */
  value(schema: Schema | null, node: unknown): unknown {
    if (node === null || node === undefined) {
      if (schema === null) return null;
      if (this.replaceNullWithDefault && schema.defaultValue !== undefined && schema.defaultValue !== null)
        return schema.defaultValue;
      if (schema.optional) return null;
      throw new FieldPathError(`invalid null value for a required ${schema.name ?? schema.type} field`);
    }
    if (schema === null) return node;
    switch (schema.name) {
      case LogicalTypes.DECIMAL:
        return readDecimal(schema, node);
      case LogicalTypes.DATE:
        return new Date(integer(node, 'Date') * DAY_MS);
      case LogicalTypes.TIME:
        return new Date(integer(node, 'Time'));
      case LogicalTypes.TIMESTAMP:
        if (typeof node === 'bigint') return new Date(Number(node));
        return new Date(integer(node, 'Timestamp'));
    }
    switch (schema.type) {
      case 'int8':
      case 'int16':
      case 'int32': {
        const [min, max] = INT_RANGES[schema.type];
        const n = integer(node, schema.type);
        if (n < min || n > max) throw new FieldPathError(`${n} is out of range for ${schema.type}`);
        return n;
      }
      case 'int64':
        return typeof node === 'bigint' ? node : integer(node, 'int64');
      case 'float32':
      case 'float64':
        if (typeof node === 'number') return node;
        if (node instanceof JsonDecimal) return node.toNumber();
        if (typeof node === 'bigint') return Number(node);
        if (typeof node === 'string' && node in NON_FINITE) return NON_FINITE[node];
        throw expected(schema.type, node);
      case 'boolean':
        if (typeof node !== 'boolean') throw expected('boolean', node);
        return node;
      case 'string':
        if (typeof node !== 'string') throw expected('string', node);
        return node;
      case 'bytes':
        if (typeof node !== 'string' || !BASE64.test(node)) throw expected('bytes (base64)', node);
        return Buffer.from(node, 'base64');
      case 'array': {
        if (!Array.isArray(node)) throw expected('array', node);
        const items = schema.valueSchema!;
        const out = new Array<unknown>(node.length);
        for (let i = 0; i < node.length; i++) {
          try {
            out[i] = this.value(items, node[i]);
          } catch (err) {
            throw addStep(err, i);
          }
        }
        return out;
      }
      case 'map':
        return this.map(schema, node);
      case 'struct':
        return this.struct(schema, node);
    }
  }

  /** Objects for string keys; arrays of [key, value] pairs (read into a Map) otherwise, as Kafka writes them. */
  private map(schema: Schema, node: unknown): unknown {
    const keys = schema.keySchema!;
    const values = schema.valueSchema!;
    if (keys.type === 'string') {
      if (!isPlainObject(node)) throw expected('map (object)', node);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        try {
          setOwn(out, k, this.value(values, v));
        } catch (err) {
          throw addStep(err, k);
        }
      }
      return out;
    }
    if (!Array.isArray(node)) throw expected('map (array of [key, value] pairs)', node);
    const out = new Map<unknown, unknown>();
    node.forEach((pair: unknown, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw addStep(expected('[key, value] pair', pair), i);
      try {
        out.set(this.value(keys, pair[0]), this.value(values, pair[1]));
      } catch (err) {
        throw addStep(err, i);
      }
    });
    return out;
  }

  private struct(schema: Schema, node: unknown): Record<string, unknown> {
    // a parsed object that already is the struct (the schema's fields in order, each a value read
    // as it is) is returned itself: JSON.parse made it for this record alone
    if (isPlainStruct(schema, node, this.plainRules)) return node as Record<string, unknown>;
    if (!isPlainObject(node)) throw expected('struct (object)', node);
    const out: Record<string, unknown> = {};
    for (const field of schema.fields ?? []) {
      try {
        setOwn(out, field.name, this.value(field.schema, (node as JsonObject)[field.name]));
      } catch (err) {
        throw addStep(err, field.name);
      }
    }
    return out;
  }
}

function expected(what: string, node: unknown): FieldPathError {
  return new FieldPathError(
    `expected ${what}, found ${node instanceof JsonDecimal ? 'number' : describeType(node)}`,
  );
}

function integer(node: unknown, type: string): number {
  if (typeof node === 'number' && Number.isInteger(node)) return node;
  if (typeof node === 'bigint' && type === 'int64') return Number(node);
  throw expected(`an integer for ${type}`, node);
}

function readDecimal(schema: Schema, node: unknown): string {
  try {
    const scale = decimalScale(schema);
    if (typeof node === 'string') {
      if (!BASE64.test(node)) throw expected('Decimal (base64 or number)', node);
      return formatDecimal(bytesToUnscaled(Buffer.from(node, 'base64')), scale);
    }
    const value = node instanceof JsonDecimal ? node.text : node;
    return formatDecimal(unscaledAt(value, scale), scale);
  } catch (err) {
    throw err instanceof FieldPathError ? err : new FieldPathError((err as Error).message);
  }
}
