import {
  ConfigField,
  DataError,
  fieldOf,
  SchemaBuilder,
  withRecord,
  type ConnectHeader,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { ArrayNotEmpty, IsArray, IsIn } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { SameLengthAs } from './config-validators.js';
import {
  fieldEntries,
  fieldMapLike,
  getField,
  requireMap,
  requireStruct,
  setOwn,
  structGet,
} from './field-map.js';
import { partSchema, partValue, type RecordPart } from './record-part.js';
import { buildStruct, copySchemaBasics, requireStructSchema, SchemaCache } from './schema-util.js';

export class HeaderFromConfig {
  @ConfigField({ doc: 'Fields of the key/value to copy or move into headers.', required: true })
  @IsArray()
  @ArrayNotEmpty()
  fields: string[] = [];

  @ConfigField({ doc: 'Header names, one for each field, in the same order.', required: true })
  @IsArray()
  @ArrayNotEmpty()
  @SameLengthAs('fields')
  headers: string[] = [];

  @ConfigField({ doc: 'copy keeps the fields in the key/value; move removes them.', required: true })
  @IsIn(['copy', 'move'])
  operation: 'copy' | 'move' = 'copy';
}

/**
 * Copies or moves top-level fields of the key or value into headers, each header carrying the
 * field's schema when there is one. As in Kafka, a tombstone is an error (there are no fields to
 * read): guard this transform with a RecordIsTombstone predicate where deletes flow.
 */
export class HeaderFrom<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private settings: { fields: string[]; headers: string[]; move: boolean } | null = null;
  private readonly schemas = new SchemaCache();

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'HeaderFrom$Key' : 'HeaderFrom$Value';
  }

  configClass(): typeof HeaderFromConfig {
    return HeaderFromConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig(this.pluginName, HeaderFromConfig, config);
    this.settings = { fields: c.fields, headers: c.headers, move: c.operation === 'move' };
  }

  apply(record: R): R | null {
    const s = this.settings;
    if (!s) throw notConfigured(this.pluginName);
    const purpose = `header ${s.move ? 'move' : 'copy'}`;
    const schema = partSchema(record, this.part);
    const value = partValue(record, this.part);
    const headers: ConnectHeader[] = [...record.headers];
    let updatedSchema: Schema | null = schema;
    let updatedValue: unknown = value;
    if (schema === null) {
      const map = requireMap(value, purpose);
      s.fields.forEach((field, i) => {
        headers.push({ key: s.headers[i]!, value: getField(map, field) ?? null, schema: null });
      });
      if (s.move) {
        const moved = new Set(s.fields);
        updatedValue = fieldMapLike(
          map,
          fieldEntries(map).filter(([name]) => !moved.has(name)),
        );
      }
    } else {
      const struct = requireStruct(value, purpose);
      s.fields.forEach((name, i) => {
        const field = fieldOf(schema, name);
        if (!field) throw new DataError(`Field does not exist: ${name}`);
        headers.push({ key: s.headers[i]!, value: structGet(struct, name), schema: field.schema });
      });
      if (s.move) {
        const moved = new Set(s.fields);
        updatedSchema = this.schemas.get(schema, (input) => {
          requireStructSchema(input, purpose);
          return buildStruct(
            copySchemaBasics(input, SchemaBuilder.struct()),
            (input.fields ?? [])
              .filter((f) => !moved.has(f.name))
              .map((f): [string, Schema] => [f.name, f.schema]),
          );
        });
        const out: Record<string, unknown> = {};
        for (const f of updatedSchema.fields ?? []) setOwn(out, f.name, structGet(struct, f.name));
        updatedValue = out;
      }
    }
    return this.part === 'key'
      ? withRecord(record, { keySchema: updatedSchema, key: updatedValue, headers })
      : withRecord(record, { valueSchema: updatedSchema, value: updatedValue, headers });
  }
}

export class HeaderFromKey<R extends ConnectRecord = ConnectRecord> extends HeaderFrom<R> {
  constructor() {
    super('key');
  }
}

export class HeaderFromValue<R extends ConnectRecord = ConnectRecord> extends HeaderFrom<R> {
  constructor() {
    super('value');
  }
}
