import {
  ConfigField,
  DataError,
  SchemaBuilder,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { IsString } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import {
  fieldEntries,
  getField,
  hasField,
  isFieldMap,
  requireMap,
  requireStruct,
  setOwn,
  type FieldMap,
} from './field-map.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';
import { copySchemaBasics, requireStructSchema, SchemaCache, withOptionalAndDefault } from './schema-util.js';

export class FlattenConfig {
  @ConfigField({ doc: 'Put between the names of a nested field and its parents, e.g. address.city.' })
  @IsString()
  delimiter = '.';
}

const PURPOSE = 'flattening';

/**
 * Flattens nested structs (and maps, when schemaless) into top-level fields named by their path,
 * joined by `delimiter`. Arrays stay as they are, and so do maps in schema'd data. A field under an
 * optional struct becomes optional itself (its parent may be null), taking a default from the
 * parent's default when it has none. Tombstones pass through untouched.
 */
export class Flatten<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private delimiter: string | null = null;
  private readonly schemas = new SchemaCache();

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'Flatten$Key' : 'Flatten$Value';
  }

  configClass(): typeof FlattenConfig {
    return FlattenConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    this.delimiter = parsePluginConfig(this.pluginName, FlattenConfig, config).delimiter;
  }

  apply(record: R): R | null {
    const delimiter = this.delimiter;
    if (delimiter === null) throw notConfigured(this.pluginName);
    const value = partValue(record, this.part);
    if (value === null || value === undefined) return record;
    const schema = partSchema(record, this.part);
    const out: Record<string, unknown> = {};
    if (schema === null) {
      flattenSchemaless(requireMap(value, PURPOSE), '', delimiter, out);
      return withPart(record, this.part, null, value instanceof Map ? new Map(Object.entries(out)) : out);
    }
    const updated = this.schemas.get(schema, (s) => {
      requireStructSchema(s, PURPOSE);
      const fields: [string, Schema][] = [];
      flattenSchema(s, '', delimiter, false, undefined, fields);
      const builder = copySchemaBasics(s, SchemaBuilder.struct());
      try {
        for (const [name, fieldSchema] of fields) builder.field(name, fieldSchema);
      } catch (err) {
        throw new DataError(`Flattened names collide: ${(err as Error).message}`, { cause: err });
      }
      return builder.build();
    });
    flattenStruct(schema, requireStruct(value, PURPOSE), '', delimiter, out);
    return withPart(record, this.part, updated, out);
  }
}

function join(prefix: string, delimiter: string, name: string): string {
  return prefix === '' ? name : `${prefix}${delimiter}${name}`;
}

function flattenSchemaless(
  map: FieldMap,
  prefix: string,
  delimiter: string,
  out: Record<string, unknown>,
): void {
  for (const [name, value] of fieldEntries(map)) {
    const path = join(prefix, delimiter, name);
    if (isFieldMap(value)) flattenSchemaless(value, path, delimiter, out);
    else setOwn(out, path, value === undefined ? null : value);
  }
}

function flattenSchema(
  schema: Schema,
  prefix: string,
  delimiter: string,
  parentOptional: boolean,
  parentDefault: unknown,
  out: [string, Schema][],
): void {
  for (const field of schema.fields ?? []) {
    const path = join(prefix, delimiter, field.name);
    const optional = parentOptional || field.schema.optional;
    const parentDefaults = isFieldMap(parentDefault) ? parentDefault : null;
    const defaultValue =
      field.schema.defaultValue ?? (parentDefaults ? getField(parentDefaults, field.name) : undefined);
    if (field.schema.type === 'struct')
      flattenSchema(field.schema, path, delimiter, optional, defaultValue, out);
    else out.push([path, withOptionalAndDefault(field.schema, optional, defaultValue ?? undefined)]);
  }
}

/** A null struct leaves all of its leaves null (their schemas were made optional for that). */
function flattenStruct(
  schema: Schema,
  struct: FieldMap | null,
  prefix: string,
  delimiter: string,
  out: Record<string, unknown>,
): void {
  for (const field of schema.fields ?? []) {
    const path = join(prefix, delimiter, field.name);
    const value = struct && hasField(struct, field.name) ? getField(struct, field.name) : null;
    if (field.schema.type === 'struct') {
      flattenStruct(
        field.schema,
        value === null || value === undefined ? null : requireStruct(value, PURPOSE),
        path,
        delimiter,
        out,
      );
    } else setOwn(out, path, value === undefined ? null : value);
  }
}

export class FlattenKey<R extends ConnectRecord = ConnectRecord> extends Flatten<R> {
  constructor() {
    super('key');
  }
}

export class FlattenValue<R extends ConnectRecord = ConnectRecord> extends Flatten<R> {
  constructor() {
    super('value');
  }
}
