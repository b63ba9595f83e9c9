import {
  ConfigField,
  SchemaBuilder,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@sluice/connect-api';
import { IsArray } from 'class-validator';
import { notConfigured, parsePluginConfig } from './config-exception.js';
import { IsRenameList } from './config-validators.js';
import { fieldEntries, fieldMapLike, requireMap, requireStruct, setOwn, structGet } from './field-map.js';
import { partSchema, partValue, withPart, type RecordPart } from './record-part.js';
import { buildStruct, copySchemaBasics, requireStructSchema, SchemaCache } from './schema-util.js';

export class ReplaceFieldConfig {
  @ConfigField({ doc: 'Fields to drop. Takes precedence over include.' })
  @IsArray()
  exclude: string[] = [];

  @ConfigField({ doc: 'Fields to keep; when set, every other field is dropped.' })
  @IsArray()
  include: string[] = [];

  @ConfigField({ doc: 'Field renames, as a list of from:to pairs.' })
  @IsArray()
  @IsRenameList()
  renames: string[] = [];

  @ConfigField({ doc: 'Deprecated: use exclude.', importance: 'LOW' })
  @IsArray()
  blacklist: string[] = [];

  @ConfigField({ doc: 'Deprecated: use include.', importance: 'LOW' })
  @IsArray()
  whitelist: string[] = [];
}

interface Settings {
  exclude: Set<string>;
  include: Set<string>;
  renames: Map<string, string>;
}

const PURPOSE = 'field replacement';

/**
 * Drops, keeps and renames top-level fields of the key or value. A field is kept when it is not
 * excluded and, if an include list is given, included; kept fields are then renamed. Tombstones
 * pass through untouched.
 */
export class ReplaceField<R extends ConnectRecord = ConnectRecord> implements Transformation<R> {
  private settings: Settings | null = null;
  private readonly schemas = new SchemaCache();

  constructor(private readonly part: RecordPart) {}

  private get pluginName(): string {
    return this.part === 'key' ? 'ReplaceField$Key' : 'ReplaceField$Value';
  }

  configClass(): typeof ReplaceFieldConfig {
    return ReplaceFieldConfig;
  }

  configure(config: Readonly<Record<string, unknown>>): void {
    const c = parsePluginConfig(this.pluginName, ReplaceFieldConfig, config);
    // The legacy names apply only when the current ones are not set, as Kafka's translation does.
    const exclude = c.exclude.length > 0 ? c.exclude : c.blacklist;
    const include = c.include.length > 0 ? c.include : c.whitelist;
    this.settings = {
      exclude: new Set(exclude),
      include: new Set(include),
      renames: new Map(
        c.renames.map((pair) => {
          const [from, to] = pair.split(':') as [string, string];
          return [from.trim(), to.trim()];
        }),
      ),
    };
  }

  apply(record: R): R | null {
    const s = this.settings;
    if (!s) throw notConfigured(this.pluginName);
    const value = partValue(record, this.part);
    if (value === null || value === undefined) return record;
    const schema = partSchema(record, this.part);
    if (schema === null) {
      const map = requireMap(value, PURPOSE);
      const kept = fieldEntries(map)
        .filter(([name]) => keeps(s, name))
        .map(([name, v]): [string, unknown] => [s.renames.get(name) ?? name, v]);
      return withPart(record, this.part, null, fieldMapLike(map, kept));
    }
    const struct = requireStruct(value, PURPOSE);
    const updated = this.schemas.get(schema, (input) => {
      requireStructSchema(input, PURPOSE);
      const fields = (input.fields ?? [])
        .filter((f) => keeps(s, f.name))
        .map((f): [string, Schema] => [s.renames.get(f.name) ?? f.name, f.schema]);
      return buildStruct(copySchemaBasics(input, SchemaBuilder.struct()), fields);
    });
    const out: Record<string, unknown> = {};
    for (const field of schema.fields ?? []) {
      if (keeps(s, field.name))
        setOwn(out, s.renames.get(field.name) ?? field.name, structGet(struct, field.name));
    }
    return withPart(record, this.part, updated, out);
  }
}

function keeps(s: Settings, name: string): boolean {
  return !s.exclude.has(name) && (s.include.size === 0 || s.include.has(name));
}

export class ReplaceFieldKey<R extends ConnectRecord = ConnectRecord> extends ReplaceField<R> {
  constructor() {
    super('key');
  }
}

export class ReplaceFieldValue<R extends ConnectRecord = ConnectRecord> extends ReplaceField<R> {
  constructor() {
    super('value');
  }
}
