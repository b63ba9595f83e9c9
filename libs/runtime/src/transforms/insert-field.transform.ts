import {
  ConfigField,
  DataError,
  SchemaBuilder,
  Schemas,
  withRecord,
  writeJson,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { fieldEntries, fieldMapLike, requireMap, requireStruct, setOwn, structGet } from './field-map.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';
import { buildStruct, copySchemaBasics, requireStructSchema, SchemaCache } from './schema-util.js';

const SUFFIX_DOC = 'Suffix with ! to make it required, or ? to keep it optional (the default).';

export class InsertFieldConfig {
  @ConfigField({ doc: `Field name for the record's topic. ${SUFFIX_DOC}` })
  @IsString()
  'topic.field' = '';

  @ConfigField({ doc: `Field name for the record's partition. ${SUFFIX_DOC}` })
  @IsString()
  'partition.field' = '';

  @ConfigField({ doc: `Field name for the record's offset, for sink connectors only. ${SUFFIX_DOC}` })
  @IsString()
  'offset.field' = '';

  @ConfigField({ doc: `Field name for the record's timestamp. ${SUFFIX_DOC}` })
  @IsString()
  'timestamp.field' = '';

  @ConfigField({ doc: `Field name for a static value. ${SUFFIX_DOC}` })
  @IsString()
  'static.field' = '';

  @ConfigField({ doc: 'The static value to insert in static.field.' })
  @IsString()
  'static.value' = '';
}

interface InsertSpec {
  name: string;
  optional: boolean;
}

function insertSpec(text: string): InsertSpec | null {
  if (text === '') return null;
  if (text.endsWith('!')) return { name: text.slice(0, -1), optional: false };
  if (text.endsWith('?')) return { name: text.slice(0, -1), optional: true };
  return { name: text, optional: true };
}

type Source = 'topic' | 'partition' | 'offset' | 'timestamp' | 'static';

interface Insertion extends InsertSpec {
  source: Source;
}

const PURPOSE = 'field insertion';

/**
 * Inserts the record's topic, partition, offset (sink records only), timestamp and/or a static
 * string into its key or value. Schemaless values get the topic as a string, partition and
 * timestamp as numbers; schema'd ones get fields added to the struct schema, the timestamp as a
 * Timestamp. Tombstones pass through untouched.
 */
export class InsertField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private insertions: Insertion[] | null = null;
  private staticValue = '';
  /** No two insertions name the same field (then the JSON text could not just be appended to). */
  private distinctNames = true;
  private readonly schemas = new SchemaCache();

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'InsertField$Key' : 'InsertField$Value';
  }

  configClass(): typeof InsertFieldConfig {
    return InsertFieldConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig(this.pluginName, InsertFieldConfig, config);
    const insertions: Insertion[] = [];
    const add = (source: Source, text: string) => {
      const spec = insertSpec(text);
      if (spec) insertions.push({ ...spec, source });
    };
    add('topic', c['topic.field']);
    add('partition', c['partition.field']);
    add('offset', c['offset.field']);
    add('timestamp', c['timestamp.field']);
    add('static', c['static.field']);
    this.insertions = insertions;
    this.distinctNames = new Set(insertions.map((i) => i.name)).size === insertions.length;
    this.staticValue = c['static.value'];
  }

  apply(record: R): R | null {
    const insertions = this.insertions;
    if (!insertions) throw notConfigured(this.pluginName);
    const value = partValue(record, this.part);
    if (value === null || value === undefined) return record;
    const schema = partSchema(record, this.part);
    if (schema === null) {
      const map = requireMap(value, PURPOSE);
      if (!(map instanceof Map) && !Object.prototype.hasOwnProperty.call(map, '__proto__')) {
        // the common case, a plain object: copied in one native call, not entry by entry (a
        // "__proto__" field would become the copy's prototype, so those take the long way)
        const out = Object.assign({}, map as Readonly<Record<string, unknown>>);
        for (const ins of insertions) setOwn(out, ins.name, this.schemalessValue(record, ins));
        const json = this.part === 'value' ? this.insertedJson(record.valueJson, map, out) : undefined;
        if (json === undefined) return withPart(record, this.part, null, out);
        return withRecord(record, { valueSchema: null, value: out, valueJson: json });
      }
      const entries = fieldEntries(map);
      for (const ins of insertions) entries.push([ins.name, this.schemalessValue(record, ins)]);
      return withPart(record, this.part, null, fieldMapLike(map, entries));
    }
    const struct = requireStruct(value, PURPOSE);
    const updated = this.schemas.get(schema, (s) => this.updatedSchema(s));
    const out: Record<string, unknown> = {};
    for (const field of schema.fields ?? []) setOwn(out, field.name, structGet(struct, field.name));
    for (const ins of insertions) {
      const v = this.schemaValue(record, ins);
      if (v === null && !ins.optional)
        throw new DataError(`Invalid value: null used for required field ${ins.name} (${ins.source})`);
      setOwn(out, ins.name, v);
    }
    return withPart(record, this.part, updated, out);
  }

  /**
   * The value's JSON text with the inserted fields appended, where the record has its text and
   * none of them is a field already (a key would be written twice): the converter stores it as
   * it is, instead of writing the whole value again.
   */
  private insertedJson(
    text: string | undefined,
    before: object,
    after: Readonly<Record<string, unknown>>,
  ): string | undefined {
    // an object's text, from its brace to its brace (a converter's may have spaces inside)
    if (
      text === undefined ||
      text.charCodeAt(0) !== 0x7b ||
      text.charCodeAt(text.length - 1) !== 0x7d ||
      !this.distinctNames
    )
      return undefined;
    let appended = '';
    for (const ins of this.insertions!) {
      if (Object.prototype.hasOwnProperty.call(before, ins.name)) return undefined;
      const v = after[ins.name];
      if (v === undefined) continue;
      appended += `${appended === '' ? '' : ','}${JSON.stringify(ins.name)}:${writeJson(v)}`;
    }
    if (appended === '') return text;
    return Object.keys(before).length === 0 ? `{${appended}}` : `${text.slice(0, -1)},${appended}}`;
  }

  private updatedSchema(schema: Schema): Schema {
    requireStructSchema(schema, PURPOSE);
    const fields: [string, Schema][] = (schema.fields ?? []).map((f) => [f.name, f.schema]);
    for (const ins of this.insertions ?? []) fields.push([ins.name, insertedSchema(ins)]);
    return buildStruct(copySchemaBasics(schema, SchemaBuilder.struct()), fields);
  }

  private schemalessValue(record: R, ins: Insertion): unknown {
    switch (ins.source) {
      case 'topic':
        return record.topic;
      case 'partition':
        return record.kafkaPartition;
      case 'offset':
        return sinkOffset(record);
      case 'timestamp':
        return record.timestamp;
      case 'static':
        return this.staticValue;
    }
  }

  private schemaValue(record: R, ins: Insertion): unknown {
    if (ins.source === 'timestamp') return record.timestamp === null ? null : new Date(record.timestamp);
    return this.schemalessValue(record, ins);
  }
}

function insertedSchema(ins: Insertion): Schema {
  switch (ins.source) {
    case 'topic':
    case 'static':
      return ins.optional ? Schemas.OPTIONAL_STRING : Schemas.STRING;
    case 'partition':
      return ins.optional ? Schemas.OPTIONAL_INT32 : Schemas.INT32;
    case 'offset':
      return ins.optional ? Schemas.OPTIONAL_INT64 : Schemas.INT64;
    case 'timestamp':
      return Schemas.timestamp(ins.optional);
  }
}

function sinkOffset(record: ConnectRecord): number {
  const offset = (record as { kafkaOffset?: unknown }).kafkaOffset;
  if (typeof offset !== 'number')
    throw new DataError(`Only sink records supported for [${PURPOSE}] of an offset: this record has none`);
  return offset;
}

export class InsertFieldKey<R extends ConnectRecord = ConnectRecord> extends InsertField<R> {
  constructor() {
    super('key');
  }
}

export class InsertFieldValue<R extends ConnectRecord = ConnectRecord> extends InsertField<R> {
  constructor() {
    super('value');
  }
}
