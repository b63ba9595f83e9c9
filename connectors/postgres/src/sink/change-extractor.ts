import { DataError, Schemas, type Schema, type SinkRecord } from '@sluice/connect-api';
import { KAFKA_PK_COLUMNS, type PkMode } from './postgres-sink.config.js';
import { rowShape, type RowChange, type RowShape } from './row-change.js';
import type { TableNameFormat } from './table-name-format.js';

export interface ExtractorOptions {
  pkMode: PkMode;
  pkFields: readonly string[];
  deleteEnabled: boolean;
  truncateEnabled: boolean;
  tableFormat: TableNameFormat;
}

/** Where a column's value comes from. */
type Source =
  | { from: 'key' | 'row'; field: string }
  | { from: 'wholeKey' }
  | { from: 'topic' }
  | { from: 'partition' }
  | { from: 'offset' };

interface ColumnPlan {
  shape: RowShape;
  sources: Source[];
}

/** Where the row and the operation are, once an envelope (or not) is recognised. */
interface Envelope {
  op: string;
  before: unknown;
  beforeSchema: Schema | null;
  after: unknown;
  afterSchema: Schema | null;
  sourceSchema: string | null;
  sourceTable: string | null;
}

type Fields = { names: string[]; schemas: (Schema | null)[] };

const NO_SCHEMA: object = {};
const MAX_CACHED_SHAPES = 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Buffer.isBuffer(value) &&
    !(value instanceof Date) &&
    !(value instanceof Map)
  );
}

function fieldsOf(row: Record<string, unknown>, schema: Schema | null): Fields {
  if (schema?.type === 'struct') {
    const fields = schema.fields ?? [];
    return { names: fields.map((f) => f.name), schemas: fields.map((f) => f.schema) };
  }
  const names = Object.keys(row);
  const valueSchema = schema?.type === 'map' ? (schema.valueSchema ?? null) : null;
  return { names, schemas: names.map(() => valueSchema) };
}

function fieldSchema(schema: Schema | null, name: string): Schema | null {
  if (schema?.type === 'struct') return schema.fields?.find((f) => f.name === name)?.schema ?? null;
  if (schema?.type === 'map') return schema.valueSchema ?? null;
  return null;
}

/**
 * Turns a SinkRecord into what it does to a table (see RowChange): reads Debezium envelopes
 * (op c/r/u write `after`, d deletes by key, t truncates) and plain records (a struct, or an
 * object without schema), takes the primary key per pk.mode, and names the table per
 * table.name.format. Column plans are cached per schema object: the JSON converter hands out one
 * Schema per distinct schema, so the per-record cost of a stream of one shape is one lookup.
 * Throws DataError for a record that cannot be written (it goes to the errant record reporter).
 */
export class ChangeExtractor {
  private readonly plans = new WeakMap<object, Map<object, ColumnPlan>>();
  private readonly envelopes = new WeakMap<Schema, boolean>();
  private readonly shapes = new Map<string, RowShape>();

  constructor(private readonly o: ExtractorOptions) {}

  extract(record: SinkRecord): RowChange {
    const envelope = this.envelopeOf(record);
    const table = this.o.tableFormat.resolve({
      topic: record.topic,
      sourceSchema: envelope?.sourceSchema ?? null,
      sourceTable: envelope?.sourceTable ?? null,
    });

    if (record.value === null || record.value === undefined) {
      if (!this.o.deleteEnabled || this.o.pkMode !== 'record_key' || table === null)
        return { kind: 'skip', record, reason: 'tombstone' };
      return { kind: 'delete', record, table, ...this.keyOnly(record, null, null) };
    }
    if (table === null) {
      throw new DataError(
        `table.name.format uses \${source.schema} or \${source.table}, but the record is not a Debezium envelope with a source block`,
      );
    }
    if (envelope === null) {
      if (!isObject(record.value))
        throw new DataError(
          `the record value must be a struct or an object to become a row, not ${describe(record.value)}`,
        );
      return { kind: 'write', record, table, ...this.row(record, record.value, record.valueSchema) };
    }
    switch (envelope.op) {
      case 'c':
      case 'r':
      case 'u':
        if (!isObject(envelope.after))
          throw new DataError(`a Debezium op=${envelope.op} event without an after row`);
        return { kind: 'write', record, table, ...this.row(record, envelope.after, envelope.afterSchema) };
      case 'd':
        if (!this.o.deleteEnabled) return { kind: 'skip', record, reason: 'delete disabled' };
        return {
          kind: 'delete',
          record,
          table,
          ...this.keyOnly(record, envelope.before, envelope.beforeSchema),
        };
      case 't':
        return this.o.truncateEnabled
          ? { kind: 'truncate', record, table }
          : { kind: 'skip', record, reason: 'truncate disabled' };
      case 'm':
        return { kind: 'skip', record, reason: 'message' };
      default:
        throw new DataError(`unknown Debezium op ${JSON.stringify(envelope.op)}`);
    }
  }

  private envelopeOf(record: SinkRecord): Envelope | null {
    const value = record.value;
    if (!isObject(value)) return null;
    const schema = record.valueSchema;
    if (schema?.type === 'struct') {
      let known = this.envelopes.get(schema);
      if (known === undefined) {
        const names = new Set((schema.fields ?? []).map((f) => f.name));
        known = names.has('op') && (names.has('after') || names.has('before'));
        this.envelopes.set(schema, known);
      }
      if (!known) return null;
    } else if (
      schema !== null ||
      typeof value['op'] !== 'string' ||
      value['op'].length !== 1 ||
      !('after' in value || 'before' in value)
    ) {
      return null;
    }
    const source = isObject(value['source']) ? value['source'] : null;
    const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    return {
      op: String(value['op']),
      before: value['before'],
      beforeSchema: fieldSchema(schema, 'before'),
      after: value['after'],
      afterSchema: fieldSchema(schema, 'after'),
      sourceSchema: text(source?.['schema']),
      sourceTable: text(source?.['table']),
    };
  }

  /** Columns and values of a row to write. */
  private row(
    record: SinkRecord,
    row: Record<string, unknown>,
    rowSchema: Schema | null,
  ): { shape: RowShape; values: unknown[] } {
    const keyIdentity = this.o.pkMode === 'record_key' ? (record.keySchema ?? null) : NO_SCHEMA;
    let plan: ColumnPlan | undefined;
    if (rowSchema?.type === 'struct' && keyIdentity !== null)
      plan = this.plans.get(rowSchema)?.get(keyIdentity);
    if (!plan) {
      plan = this.rowPlan(record, row, rowSchema);
      if (rowSchema?.type === 'struct' && keyIdentity !== null) {
        let byKey = this.plans.get(rowSchema);
        if (!byKey) this.plans.set(rowSchema, (byKey = new Map()));
        byKey.set(keyIdentity, plan);
      }
    }
    return { shape: plan.shape, values: this.values(record, row, plan) };
  }

  /** Columns and values of a delete: the key columns only. */
  private keyOnly(
    record: SinkRecord,
    before: unknown,
    beforeSchema: Schema | null,
  ): { shape: RowShape; values: unknown[] } {
    if (this.o.pkMode === 'record_key') {
      const key = this.keyColumns(record, []);
      const plan = { shape: this.shape(key.names, key.schemas, key.names.length), sources: key.sources };
      return { shape: plan.shape, values: this.values(record, {}, plan) };
    }
    // record_value: the key is in `before` (Debezium fills it with at least the primary key)
    if (!isObject(before))
      throw new DataError('a delete event without a before row cannot be applied with pk.mode=record_value');
    const fields = fieldsOf(before, beforeSchema);
    const names = this.o.pkFields.length > 0 ? [...this.o.pkFields] : fields.names;
    const schemas = names.map((n) => {
      const i = fields.names.indexOf(n);
      if (i < 0) throw new DataError(`pk.fields names ${n}, which the before row of the delete lacks`);
      return fields.schemas[i] ?? null;
    });
    const plan: ColumnPlan = {
      shape: this.shape(names, schemas, names.length),
      sources: names.map((field) => ({ from: 'row', field })),
    };
    return { shape: plan.shape, values: this.values(record, before, plan) };
  }

  private rowPlan(record: SinkRecord, row: Record<string, unknown>, rowSchema: Schema | null): ColumnPlan {
    const fields = fieldsOf(row, rowSchema);
    const key = this.keyColumns(record, fields.names, fields.schemas);
    const keyNames = new Set(key.names);
    const names = [...key.names];
    const schemas = [...key.schemas];
    const sources = [...key.sources];
    for (let i = 0; i < fields.names.length; i++) {
      const name = fields.names[i]!;
      if (keyNames.has(name)) continue;
      names.push(name);
      schemas.push(fields.schemas[i] ?? null);
      sources.push({ from: 'row', field: name });
    }
    return { shape: this.shape(names, schemas, key.names.length), sources };
  }

  /** The key columns per pk.mode; rowNames/rowSchemas are the value's fields (record_value). */
  private keyColumns(
    record: SinkRecord,
    rowNames: readonly string[],
    rowSchemas: readonly (Schema | null)[] = [],
  ): { names: string[]; schemas: (Schema | null)[]; sources: Source[] } {
    const pkFields = this.o.pkFields;
    switch (this.o.pkMode) {
      case 'none':
        return { names: [], schemas: [], sources: [] };
      case 'kafka':
        return {
          names: pkFields.length === 3 ? [...pkFields] : [...KAFKA_PK_COLUMNS],
          schemas: [Schemas.STRING, Schemas.INT32, Schemas.INT64],
          sources: [{ from: 'topic' }, { from: 'partition' }, { from: 'offset' }],
        };
      case 'record_value': {
        const names = pkFields.length > 0 ? [...pkFields] : [...rowNames];
        const schemas = names.map((n) => {
          const i = rowNames.indexOf(n);
          if (i < 0) throw new DataError(`pk.fields names ${n}, which the record value lacks`);
          return rowSchemas[i] ?? null;
        });
        return { names, schemas, sources: names.map((field) => ({ from: 'row', field })) };
      }
      case 'record_key': {
        const key = record.key;
        if (key === null || key === undefined)
          throw new DataError('pk.mode=record_key, but the record has no key');
        if (isObject(key)) {
          const fields = fieldsOf(key, record.keySchema);
          const names = pkFields.length > 0 ? [...pkFields] : fields.names;
          if (names.length === 0) throw new DataError('pk.mode=record_key, but the record key has no fields');
          const schemas = names.map((n) => {
            const i = fields.names.indexOf(n);
            if (i < 0) throw new DataError(`pk.fields names ${n}, which the record key lacks`);
            return fields.schemas[i] ?? null;
          });
          return { names, schemas, sources: names.map((field) => ({ from: 'key', field })) };
        }
        if (pkFields.length !== 1)
          throw new DataError(
            'the record key is a primitive value: pk.fields must name exactly one column to hold it',
          );
        return { names: [pkFields[0]!], schemas: [record.keySchema], sources: [{ from: 'wholeKey' }] };
      }
    }
  }

  private values(record: SinkRecord, row: Record<string, unknown>, plan: ColumnPlan): unknown[] {
    const { sources, shape } = plan;
    const out = new Array<unknown>(sources.length);
    const key = record.key as Record<string, unknown> | null;
    for (let i = 0; i < sources.length; i++) {
      const s = sources[i]!;
      let v: unknown;
      switch (s.from) {
        case 'row':
          v = row[s.field];
          break;
        case 'key':
          // a plan cached from a keyed record meets one without a key
          if (key === null || typeof key !== 'object')
            throw new DataError('pk.mode=record_key, but the record has no key');
          v = key[s.field];
          break;
        case 'wholeKey':
          v = record.key;
          break;
        case 'topic':
          v = record.topic;
          break;
        case 'partition':
          v = record.kafkaPartition;
          break;
        case 'offset':
          v = record.kafkaOffset;
          break;
      }
      if (i < shape.keyCount && (v === null || v === undefined))
        throw new DataError(`primary key column ${shape.names[i]} is null`);
      out[i] = v;
    }
    return out;
  }

  /** One RowShape object per distinct column list, so planning can compare by identity. */
  private shape(names: string[], schemas: (Schema | null)[], keyCount: number): RowShape {
    const fresh = rowShape(names, schemas, keyCount);
    const known = this.shapes.get(fresh.signature);
    if (known && known.schemas.every((s, i) => s === fresh.schemas[i])) return known;
    if (this.shapes.size >= MAX_CACHED_SHAPES) this.shapes.clear();
    this.shapes.set(fresh.signature, fresh);
    return fresh;
  }
}

function describe(value: unknown): string {
  if (Buffer.isBuffer(value)) return 'bytes';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'a map' : `a ${typeof value}`;
}
