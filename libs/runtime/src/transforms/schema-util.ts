import { DataError, SchemaBuilder, type Schema } from '@sluice/connect-api';

/**
 * Starts a builder of `type` carrying over what identifies `schema` (name, version, doc,
 * parameters) and whether it is optional. Unlike Kafka's SchemaUtil.copySchemaBasics, optionality
 * is kept: a transform should not turn an optional value required behind the user's back.
 */
export function copySchemaBasics(schema: Schema, builder: SchemaBuilder): SchemaBuilder {
  builder.name(schema.name).version(schema.version).doc(schema.doc).optional(schema.optional);
  for (const [k, v] of Object.entries(schema.parameters ?? {})) builder.parameter(k, v);
  return builder;
}

/**
 * Output schemas per input schema, as Kafka's transforms keep them, so that a stream of records
 * sharing one schema object yields one output schema object (downstream caches and sinks compare
 * by identity). Weakly keyed: a schema nobody uses any more is not pinned.
 */
export class SchemaCache {
  private readonly cache = new WeakMap<Schema, Schema>();

  get(input: Schema, build: (input: Schema) => Schema): Schema {
    let output = this.cache.get(input);
    if (output === undefined) {
      output = build(input);
      this.cache.set(input, output);
    }
    return output;
  }
}

/** Builds a struct schema, turning SchemaBuilder's errors (duplicate fields) into DataErrors. */
export function buildStruct(base: SchemaBuilder, fields: Iterable<readonly [string, Schema]>): Schema {
  try {
    for (const [name, schema] of fields) base.field(name, schema);
  } catch (err) {
    throw new DataError((err as Error).message, { cause: err });
  }
  return base.build();
}

export function requireStructSchema(schema: Schema, purpose: string): void {
  if (schema.type !== 'struct')
    throw new DataError(`Only struct schemas are supported for [${purpose}], found: ${schema.type}`);
}

/** The same schema with a different optionality and default, reusing it when nothing changes. */
export function withOptionalAndDefault(schema: Schema, optional: boolean, defaultValue: unknown): Schema {
  if (schema.optional === optional && schema.defaultValue === defaultValue) return schema;
  const builder = SchemaBuilder.from(schema).optional(optional);
  builder.defaultValue(defaultValue);
  return builder.build();
}
