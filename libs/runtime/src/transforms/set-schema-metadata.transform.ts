import {
  ConfigField,
  DataError,
  SchemaBuilder,
  type ConnectRecord,
  type Transformation,
} from '@sluice/connect-api';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { Satisfies } from './config-validators.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';
import { SchemaCache } from './schema-util.js';

export class SetSchemaMetadataConfig {
  @ConfigField({ doc: 'Schema name to set.' })
  @IsString()
  @Satisfies('nameOrVersion', (_value, object) =>
    (object['schema.name'] ?? '') === '' && object['schema.version'] === undefined
      ? 'or schema.version must be set'
      : null,
  )
  'schema.name' = '';

  @ConfigField({ doc: 'Schema version to set.', type: 'INT' })
  @IsOptional()
  @IsInt()
  'schema.version'?: number = undefined;
}

/**
 * Sets the name and/or version of the key or value schema, keeping everything else. A record
 * without a schema there is a DataError, as in Kafka.
 */
export class SetSchemaMetadata<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private settings: { name: string | undefined; version: number | undefined } | null = null;
  private readonly schemas = new SchemaCache();

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'SetSchemaMetadata$Key' : 'SetSchemaMetadata$Value';
  }

  configClass(): typeof SetSchemaMetadataConfig {
    return SetSchemaMetadataConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig(this.pluginName, SetSchemaMetadataConfig, config);
    this.settings = { name: c['schema.name'] || undefined, version: c['schema.version'] };
  }

  apply(record: R): R | null {
    const s = this.settings;
    if (!s) throw notConfigured(this.pluginName);
    const schema = partSchema(record, this.part);
    if (schema === null)
      throw new DataError(`Schema required for [updating schema metadata] on the record ${this.part}`);
    const updated = this.schemas.get(schema, (input) => {
      const builder = SchemaBuilder.from(input);
      if (s.name !== undefined) builder.name(s.name);
      if (s.version !== undefined) builder.version(s.version);
      return builder.build();
    });
    return withPart(record, this.part, updated, partValue(record, this.part));
  }
}

export class SetSchemaMetadataKey<R extends ConnectRecord = ConnectRecord> extends SetSchemaMetadata<R> {
  constructor() {
    super('key');
  }
}

export class SetSchemaMetadataValue<R extends ConnectRecord = ConnectRecord> extends SetSchemaMetadata<R> {
  constructor() {
    super('value');
  }
}
