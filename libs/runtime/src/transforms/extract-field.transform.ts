import {
  ConfigField,
  DataError,
  fieldOf,
  type ConnectRecord,
  type Field,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { IsIn, IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { IsFieldPath } from './config-validators.js';
import { FIELD_SYNTAX_VERSIONS, parseFieldPath, type FieldSyntaxVersion } from './field-path.js';
import { getField, isFieldMap, requireMap, requireStruct } from './field-map.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';

export class ExtractFieldConfig {
  @ConfigField({
    doc: 'Field to extract. With field.syntax.version=V2 a dotted path reaches into nested structs; wrap names containing dots in backticks.',
    required: true,
  })
  @IsString()
  @IsFieldPath('field.syntax.version')
  field = '';

  @ConfigField({
    doc: 'How field names are read: V1, a top-level name as written; V2, a dotted path to a nested field.',
  })
  @IsIn(FIELD_SYNTAX_VERSIONS)
  'field.syntax.version': FieldSyntaxVersion = 'V1';
}

const PURPOSE = 'field extraction';

/**
 * Replaces the key or value with one of its fields (a nested one with V2 paths); its schema
 * becomes that field's schema. A null value, or a missing field in a schemaless map, yields null.
 */
export class ExtractField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private path: string[] | null = null;
  private pathText = '';

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'ExtractField$Key' : 'ExtractField$Value';
  }

  configClass(): typeof ExtractFieldConfig {
    return ExtractFieldConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig(this.pluginName, ExtractFieldConfig, config);
    this.path = parseFieldPath(c.field, c['field.syntax.version']);
    this.pathText = c.field;
  }

  apply(record: R): R | null {
    const path = this.path;
    if (!path) throw notConfigured(this.pluginName);
    const schema = partSchema(record, this.part);
    const value = partValue(record, this.part);
    if (schema === null) {
      if (value === null || value === undefined) return withPart(record, this.part, null, null);
      return withPart(record, this.part, null, valueAt(requireMap(value, PURPOSE), path));
    }
    const field = fieldAt(schema, path);
    if (!field) throw new DataError(`Unknown field: ${this.pathText}`);
    if (value === null || value === undefined) return withPart(record, this.part, field.schema, null);
    return withPart(record, this.part, field.schema, valueAt(requireStruct(value, PURPOSE), path));
  }
}

function fieldAt(schema: Schema, path: readonly string[]): Field | undefined {
  let current: Schema = schema;
  let field: Field | undefined;
  for (const step of path) {
    if (current.type !== 'struct') return undefined;
    field = fieldOf(current, step);
    if (!field) return undefined;
    current = field.schema;
  }
  return field;
}

function valueAt(map: unknown, path: readonly string[]): unknown {
  let current = map;
  for (const step of path) {
    if (current === null || current === undefined) return null;
    if (!isFieldMap(current))
      throw new DataError(`Cannot read field ${step} of a ${typeof current} for [${PURPOSE}]`);
    current = getField(current, step);
  }
  return current ?? null;
}

export class ExtractFieldKey<R extends ConnectRecord = ConnectRecord> extends ExtractField<R> {
  constructor() {
    super('key');
  }
}

export class ExtractFieldValue<R extends ConnectRecord = ConnectRecord> extends ExtractField<R> {
  constructor() {
    super('value');
  }
}
