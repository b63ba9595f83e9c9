import {
  ConfigField,
  DataError,
  SchemaBuilder,
  type ConnectRecord,
  type Transformation,
} from '@sluice/connect-api';
import { IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { objectFrom } from './field-map.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';
import { SchemaCache } from './schema-util.js';

export class HoistFieldConfig {
  @ConfigField({
    doc: 'Name of the single field of the struct (or map) that wraps the data.',
    required: true,
  })
  @IsString()
  field = '';
}

/**
 * Wraps the key or value in a struct with one field (a map when schemaless): the reverse of
 * ExtractField. Null is wrapped too, which a non-optional schema does not allow.
 */
export class HoistField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private field: string | null = null;
  private readonly schemas = new SchemaCache();

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'HoistField$Key' : 'HoistField$Value';
  }

  configClass(): typeof HoistFieldConfig {
    return HoistFieldConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    this.field = parsePluginConfig(this.pluginName, HoistFieldConfig, config).field;
  }

  apply(record: R): R | null {
    const field = this.field;
    if (field === null) throw notConfigured(this.pluginName);
    const schema = partSchema(record, this.part);
    const value = partValue(record, this.part) ?? null;
    if (schema === null) return withPart(record, this.part, null, objectFrom([[field, value]]));
    if (value === null && !schema.optional)
      throw new DataError(`Invalid value: null used for required field ${field} when hoisting`);
    const updated = this.schemas.get(schema, (s) => SchemaBuilder.struct().field(field, s).build());
    return withPart(record, this.part, updated, objectFrom([[field, value]]));
  }
}

export class HoistFieldKey<R extends ConnectRecord = ConnectRecord> extends HoistField<R> {
  constructor() {
    super('key');
  }
}

export class HoistFieldValue<R extends ConnectRecord = ConnectRecord> extends HoistField<R> {
  constructor() {
    super('value');
  }
}
