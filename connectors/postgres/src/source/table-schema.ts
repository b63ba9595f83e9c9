import { ConnectError, quoteJson, SchemaBuilder, writeJsonNumber, type Schema } from '@sluice/connect-api';
import { envelopeSchema, topicName } from './debezium-schemas.js';
import { UNCHANGED_TOAST, type TupleValue } from './pgoutput-message.js';
import {
  converterFor,
  UnrepresentableValueError,
  type ConverterContext,
  type ValueConverter,
} from './value-converter.js';

/** A column as the catalog (snapshot) or a relation message (stream) describes it. */
export interface ColumnDescriptor {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
  /** Nullable (NOT NULL absent). */
  readonly optional: boolean;
  /** pg_attribute.attndims: declared array dimensions, 0 when not an array or unknown. */
  readonly dims: number;
}

export interface TableDescriptor {
  readonly schema: string;
  readonly table: string;
  /** Columns in attnum order (the order of tuples in pgoutput and of SELECT *). */
  readonly columns: readonly ColumnDescriptor[];
  /** Names of the event key's columns in key order: the primary key, message.key.columns, or none. */
  readonly keyColumns: readonly string[];
  readonly replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
}

/** Called once per column and problem, so logs name each problem once, not per row. */
export type SchemaWarning = (column: string, message: string) => void;

/** Row images: whole rows, or only the replica identity columns (the rest read as zero/null). */
export type ImageKind = 'full' | 'key-only';

/** A row as its struct and, where it has one, the JSON text Kafka's JsonConverter writes for it. */
export interface RowImage {
  readonly value: Record<string, unknown>;
  /** Undefined when a column's value has no JSON text here (the converter writes the value then). */
  readonly json: string | undefined;
}

/** A tuple's value at `i`, an unchanged TOASTed one taken from `fallback` (the old row) where it has it. */
function resolved(
  values: readonly TupleValue[],
  i: number,
  fallback?: readonly TupleValue[] | null,
): TupleValue {
  const v = values[i]!;
  if (v !== UNCHANGED_TOAST) return v;
  const old = fallback?.[i];
  return typeof old === 'string' ? old : UNCHANGED_TOAST;
}

/**
 * How one table's rows become Debezium events: the Connect schemas (key, value, envelope) and one
 * value converter per column, aligned with the tuple positions of pgoutput messages and snapshot
 * rows. Immutable: a schema change (a relation message that differs) builds a new one, so the
 * JSON converter's per-schema caches stay valid.
 */
export class TableSchema {
  readonly id: string;
  readonly topic: string;
  readonly keySchema: Schema | null;
  readonly valueSchema: Schema;
  readonly envelopeSchema: Schema;
  readonly converters: readonly ValueConverter[];
  readonly names: readonly string[];
  /** Tuple positions of the key columns, in key order. */
  readonly keyIndexes: readonly number[];
  /** Per column, what a required column holds when its value is missing (see zeroValue). */
  private readonly zeros: readonly unknown[];
  /**
   * Per column, the JSON text of a value under its schema; null when a column's schema is not
   * a plain scalar (its text is left to the converter, and rows carry no JSON).
   */
  private readonly jsonWriters: readonly ScalarJsonWriter[] | null;
  /** Per column, what comes before its value in the row's JSON: `{"name":` or `,"name":`. */
  private readonly jsonHeads: readonly string[];
  private readonly warned = new Set<string>();

  constructor(
    readonly descriptor: TableDescriptor,
    private readonly prefix: string,
    private readonly ctx: ConverterContext,
    private readonly warn: SchemaWarning,
  ) {
    const { schema, table, columns } = descriptor;
    this.id = `${schema}.${table}`;
    this.topic = topicName(prefix, schema, table);
    this.converters = columns.map((c) => converterFor(ctx, c.typeOid, c.typeMod, c.optional, c.dims));
    this.names = columns.map((c) => c.name);
    const value = SchemaBuilder.struct().name(`${this.topic}.Value`).optional();
    columns.forEach((c, i) => value.field(c.name, this.converters[i]!.schema));
    this.valueSchema = value.build();
    this.envelopeSchema = envelopeSchema(this.topic, this.valueSchema);
    const indexes: number[] = [];
    for (const name of descriptor.keyColumns) {
      const i = this.names.indexOf(name);
      if (i >= 0) indexes.push(i);
    }
    this.keyIndexes = indexes;
    if (indexes.length > 0) {
      const key = SchemaBuilder.struct().name(`${this.topic}.Key`);
      for (const i of indexes) key.field(this.names[i]!, this.converters[i]!.schema);
      this.keySchema = key.build();
    } else {
      this.keySchema = null;
    }
    this.zeros = this.converters.map((c) => zeroValue(c.schema));
    const writers = this.converters.map((c) => scalarJsonWriter(c.schema));
    this.jsonWriters = writers.every((w) => w !== null) ? writers : null;
    this.jsonHeads = this.names.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
    this.converters.forEach((c, i) => {
      if (c.asText) this.warnOnce(this.names[i]!, `travels as its text form: ${c.asText}`);
    });
  }

  /** The same table with `column` made optional (a null arrived where the catalog said NOT NULL). */
  relaxed(column: number): TableSchema {
    const columns = this.descriptor.columns.map((c, i) => (i === column ? { ...c, optional: true } : c));
    return new TableSchema({ ...this.descriptor, columns }, this.prefix, this.ctx, this.warn);
  }

  /**
   * The row struct of a tuple. `fallback` supplies unchanged TOASTed values (the old row of a
   * REPLICA IDENTITY FULL update); without it they become the placeholder. Throws
   * RequiredNullError when a full image has null in a required column.
   */
  row(
    values: readonly TupleValue[],
    kind: ImageKind,
    fallback?: readonly TupleValue[] | null,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const converters = this.converters;
    const names = this.names;
    const n = Math.min(values.length, converters.length);
    for (let i = 0; i < n; i++) {
      const v = resolved(values, i, fallback);
      const converter = converters[i]!;
      if (v === UNCHANGED_TOAST) {
        out[names[i]!] = this.placeholder(i);
      } else if (v === null) {
        if (converter.schema.optional) out[names[i]!] = null;
        else if (kind === 'key-only') out[names[i]!] = this.zeros[i];
        else throw new RequiredNullError(i);
      } else {
        out[names[i]!] = this.convert(i, v);
      }
    }
    // columns the tuple lacks (it predates an added column): absent values
    for (let i = n; i < converters.length; i++)
      out[names[i]!] = converters[i]!.schema.optional ? null : this.zeros[i];
    return out;
  }

  /** The row as row() has it, with its JSON text where the table's columns all have one. Throws as row() does. */
  image(values: readonly TupleValue[], kind: ImageKind, fallback?: readonly TupleValue[] | null): RowImage {
    const value = this.row(values, kind, fallback);
    return { value, json: this.rowJson(values, fallback, value) };
  }

  /**
   * The JSON text JsonConverter writes for `row` (row()'s struct of the tuple): a column's value
   * from the server's text where its type allows (integers as printed, strings quoted), else
   * from the struct's value; undefined when some value has no text here.
   */
  private rowJson(
    values: readonly TupleValue[],
    fallback: readonly TupleValue[] | null | undefined,
    row: Record<string, unknown>,
  ): string | undefined {
    const writers = this.jsonWriters;
    if (writers === null) return undefined;
    const converters = this.converters;
    const names = this.names;
    const heads = this.jsonHeads;
    const n = Math.min(values.length, converters.length);
    let json = '';
    for (let i = 0; i < converters.length; i++) {
      const v = i < n ? resolved(values, i, fallback) : null;
      const fromText = converters[i]!.jsonOfText;
      const text =
        typeof v === 'string' && fromText !== undefined ? fromText(v) : writers[i]!(row[names[i]!]);
      if (text === undefined) return undefined;
      json += heads[i]! + text;
    }
    return converters.length === 0 ? '{}' : `${json}}`;
  }

  /** The key struct of a tuple, or null for a table without key columns. */
  key(values: readonly TupleValue[]): Record<string, unknown> | null {
    if (this.keySchema === null) return null;
    const out: Record<string, unknown> = {};
    for (const i of this.keyIndexes) {
      const v = values[i];
      const name = this.names[i]!;
      if (typeof v === 'string') out[name] = this.convert(i, v);
      else out[name] = this.converters[i]!.schema.optional ? null : this.zeros[i];
    }
    return out;
  }

  /** Text forms of the key columns (for snapshot positions), or null if a key value is missing. */
  keyTexts(values: readonly TupleValue[]): string[] | null {
    const out: string[] = [];
    for (const i of this.keyIndexes) {
      const v = values[i];
      if (typeof v !== 'string') return null;
      out.push(v);
    }
    return out;
  }

  private convert(i: number, text: string): unknown {
    try {
      return this.converters[i]!.convert(text);
    } catch (err) {
      const name = this.names[i]!;
      const message = err instanceof Error ? err.message : String(err);
      if (this.converters[i]!.schema.optional) {
        this.warnOnce(name, `${message}; sending null`);
        return null;
      }
      if (err instanceof UnrepresentableValueError)
        throw new ConnectError(`column ${this.id}.${name}: ${message}`, { cause: err });
      throw new ConnectError(
        `column ${this.id}.${name}: cannot convert ${JSON.stringify(text)}: ${message}`,
        {
          cause: err,
        },
      );
    }
  }

  private placeholder(i: number): unknown {
    const converter = this.converters[i]!;
    if (converter.placeholder !== undefined) return converter.placeholder;
    this.warnOnce(
      this.names[i]!,
      'an unchanged TOASTed value of this type has no placeholder form; sending null (set REPLICA IDENTITY FULL to get the value)',
    );
    return converter.schema.optional ? null : this.zeros[i];
  }

  private warnOnce(column: string, message: string): void {
    const key = `${column}\u0000${message}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(column, message);
  }
}

/** A null in a column the catalog says is NOT NULL: the caller relaxes the schema and retries. */
export class RequiredNullError extends Error {
  override name = 'RequiredNullError';

  constructor(readonly column: number) {
    super(`null in required column ${column}`);
  }
}

/** What Debezium writes for a required column whose value is missing (key-only images). */
export function zeroValue(schema: Schema): unknown {
  if (schema.optional) return null;
  if (schema.name === 'org.apache.kafka.connect.data.Decimal') return '0';
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'array':
      return [];
    case 'map':
      return {};
    case 'struct': {
      if (schema.name === 'io.debezium.data.VariableScaleDecimal')
        return { scale: 0, value: Buffer.from([0]) };
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) out[f.name] = zeroValue(f.schema);
      return out;
    }
  }
}

/** The JSON text of a value as JsonConverter writes it under a scalar schema; undefined when the value does not fit it. */
type ScalarJsonWriter = (value: unknown) => string | undefined;

/** The writer for a schema with no default, of a JSON scalar type; null for any other schema. */
function scalarJsonWriter(schema: Schema): ScalarJsonWriter | null {
  if (schema.defaultValue !== undefined && schema.defaultValue !== null) return null;
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      return (v) =>
        v === null
          ? 'null'
          : (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint'
            ? String(v)
            : undefined;
    case 'float32':
    case 'float64':
      return (v) =>
        v === null
          ? 'null'
          : typeof v === 'number'
            ? writeJsonNumber(v)
            : typeof v === 'bigint'
              ? String(Number(v))
              : undefined;
    case 'boolean':
      return (v) => (v === null ? 'null' : typeof v === 'boolean' ? String(v) : undefined);
    case 'string':
      return (v) => (v === null ? 'null' : typeof v === 'string' ? quoteJson(v) : undefined);
    default:
      return null;
  }
}
