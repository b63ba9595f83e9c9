import {
  ConfigField,
  DataError,
  fieldOf,
  SchemaBuilder,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { ArrayNotEmpty, IsArray } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { getField, objectFrom, requireMap, requireStruct, structGet } from './field-map.js';
import { withPart } from './record-part.js';
import { buildStruct, requireStructSchema, SchemaCache } from './schema-util.js';

export class ValueToKeyConfig {
  @ConfigField({ doc: 'Value fields to copy into the record key, in this order.', required: true })
  @IsArray()
  @ArrayNotEmpty()
  fields: string[] = [];
}

const PURPOSE = 'copying fields from value to key';

/**
 * Replaces the record key with a struct (or map) of some value fields, e.g. to key a CDC stream
 * by its primary key. As in Kafka, a tombstone (null value) is an error here: there is nothing to
 * take a key from, so guard this transform with a RecordIsTombstone predicate where deletes flow.
 */
export class ValueToKey<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private fields: string[] | null = null;
  private readonly schemas = new SchemaCache();

  configClass(): typeof ValueToKeyConfig {
    return ValueToKeyConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    this.fields = parsePluginConfig('ValueToKey', ValueToKeyConfig, config).fields;
  }

  apply(record: R): R | null {
    const fields = this.fields;
    if (!fields) throw notConfigured('ValueToKey');
    if (record.valueSchema === null) {
      const value = requireMap(record.value, PURPOSE);
      const key = objectFrom(fields.map((f) => [f, getField(value, f) ?? null]));
      return withPart(record, 'key', null, key);
    }
    const value = requireStruct(record.value, PURPOSE);
    const keySchema = this.schemas.get(record.valueSchema, (valueSchema) => keySchemaOf(valueSchema, fields));
    return withPart(record, 'key', keySchema, objectFrom(fields.map((f) => [f, structGet(value, f)])));
  }
}

function keySchemaOf(valueSchema: Schema, fields: readonly string[]): Schema {
  requireStructSchema(valueSchema, PURPOSE);
  return buildStruct(
    SchemaBuilder.struct(),
    fields.map((name): [string, Schema] => {
      const field = fieldOf(valueSchema, name);
      if (!field) throw new DataError(`Field does not exist: ${name}`);
      return [name, field.schema];
    }),
  );
}
