/*
 * Connect-style schemas: optional type information that travels with keys and values, so sinks can
 * create and evolve tables and the JSON converter can embed it. Values are plain data: structs are
 * plain objects, arrays arrays, maps plain objects (string keys) or Maps, bytes Buffers, int64
 * numbers (or bigints beyond 2^53).
 */

export type SchemaType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct';

export const PRIMITIVE_TYPES: readonly SchemaType[] = [
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
];

export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  /** Logical type or record name, e.g. org.apache.kafka.connect.data.Decimal. */
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly defaultValue?: unknown;
  readonly parameters?: Readonly<Record<string, string>>;
  /** struct only */
  readonly fields?: readonly Field[];
  /** map only */
  readonly keySchema?: Schema;
  /** array and map */
  readonly valueSchema?: Schema;
}

/** Kafka Connect's logical types, by their schema names. */
export const LogicalTypes = {
  DECIMAL: 'org.apache.kafka.connect.data.Decimal',
  DATE: 'org.apache.kafka.connect.data.Date',
  TIME: 'org.apache.kafka.connect.data.Time',
  TIMESTAMP: 'org.apache.kafka.connect.data.Timestamp',
} as const;

/** Builds schemas fluently: SchemaBuilder.struct().name('x').field('id', Schemas.INT32).build(). */
export class SchemaBuilder {
  private schema: {
    type: SchemaType;
    optional: boolean;
    name?: string;
    version?: number;
    doc?: string;
    defaultValue?: unknown;
    parameters?: Record<string, string>;
    fields?: Field[];
    keySchema?: Schema;
    valueSchema?: Schema;
  };

  constructor(type: SchemaType) {
    this.schema = { type, optional: false };
    if (type === 'struct') this.schema.fields = [];
  }

  static type(type: SchemaType): SchemaBuilder {
    return new SchemaBuilder(type);
  }

  static struct(): SchemaBuilder {
    return new SchemaBuilder('struct');
  }

  static array(valueSchema: Schema): SchemaBuilder {
    const b = new SchemaBuilder('array');
    b.schema.valueSchema = valueSchema;
    return b;
  }

  static map(keySchema: Schema, valueSchema: Schema): SchemaBuilder {
    const b = new SchemaBuilder('map');
    b.schema.keySchema = keySchema;
    b.schema.valueSchema = valueSchema;
    return b;
  }

  /** Starts from an existing schema (to rename it, make it optional, add fields, ...). */
  static from(schema: Schema): SchemaBuilder {
    const b = new SchemaBuilder(schema.type);
    b.schema = {
      ...schema,
      fields: schema.fields ? [...schema.fields] : undefined,
      parameters: schema.parameters ? { ...schema.parameters } : undefined,
    };
    return b;
  }

  optional(optional = true): this {
    this.schema.optional = optional;
    return this;
  }

  name(name: string | undefined): this {
    this.schema.name = name;
    return this;
  }

  version(version: number | undefined): this {
    this.schema.version = version;
    return this;
  }

  doc(doc: string | undefined): this {
    this.schema.doc = doc;
    return this;
  }

  defaultValue(value: unknown): this {
    this.schema.defaultValue = value;
    return this;
  }

  parameter(key: string, value: string): this {
    this.schema.parameters = { ...this.schema.parameters, [key]: value };
    return this;
  }

  field(name: string, schema: Schema): this {
    if (this.schema.type !== 'struct')
      throw new Error(`cannot add field ${name} to a ${this.schema.type} schema`);
    const fields = this.schema.fields!;
    if (fields.some((f) => f.name === name)) throw new Error(`duplicate field ${name} in struct schema`);
    fields.push({ name, index: fields.length, schema });
    return this;
  }

  build(): Schema {
    const s = this.schema;
    const out: Record<string, unknown> = { type: s.type, optional: s.optional };
    for (const key of [
      'name',
      'version',
      'doc',
      'defaultValue',
      'parameters',
      'keySchema',
      'valueSchema',
    ] as const) {
      if (s[key] !== undefined) out[key] = s[key];
    }
    if (s.fields) out['fields'] = Object.freeze([...s.fields]);
    return Object.freeze(out) as unknown as Schema;
  }
}

function primitive(type: SchemaType, optional: boolean): Schema {
  return Object.freeze({ type, optional });
}

/** Ready-made schemas, as Kafka Connect's Schema.INT32_SCHEMA and friends. */
export const Schemas = {
  INT8: primitive('int8', false),
  INT16: primitive('int16', false),
  INT32: primitive('int32', false),
  INT64: primitive('int64', false),
  FLOAT32: primitive('float32', false),
  FLOAT64: primitive('float64', false),
  BOOLEAN: primitive('boolean', false),
  STRING: primitive('string', false),
  BYTES: primitive('bytes', false),
  OPTIONAL_INT8: primitive('int8', true),
  OPTIONAL_INT16: primitive('int16', true),
  OPTIONAL_INT32: primitive('int32', true),
  OPTIONAL_INT64: primitive('int64', true),
  OPTIONAL_FLOAT32: primitive('float32', true),
  OPTIONAL_FLOAT64: primitive('float64', true),
  OPTIONAL_BOOLEAN: primitive('boolean', true),
  OPTIONAL_STRING: primitive('string', true),
  OPTIONAL_BYTES: primitive('bytes', true),
  /** Decimal with `scale` digits after the point; values are decimal strings. */
  decimal(scale: number, optional = false): Schema {
    return new SchemaBuilder('bytes')
      .name(LogicalTypes.DECIMAL)
      .version(1)
      .parameter('scale', String(scale))
      .optional(optional)
      .build();
  },
  /** Days since the epoch as an int32 on the wire; values are Dates. */
  date(optional = false): Schema {
    return new SchemaBuilder('int32').name(LogicalTypes.DATE).version(1).optional(optional).build();
  },
  /** Milliseconds since midnight as an int32 on the wire; values are Dates on 1970-01-01. */
  time(optional = false): Schema {
    return new SchemaBuilder('int32').name(LogicalTypes.TIME).version(1).optional(optional).build();
  },
  /** Milliseconds since the epoch as an int64 on the wire; values are Dates. */
  timestamp(optional = false): Schema {
    return new SchemaBuilder('int64').name(LogicalTypes.TIMESTAMP).version(1).optional(optional).build();
  },
} as const;

export function fieldOf(schema: Schema, name: string): Field | undefined {
  return schema.fields?.find((f) => f.name === name);
}
