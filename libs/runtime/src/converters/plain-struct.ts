import { LogicalTypes, type Schema } from '@sluice/connect-api';
import { isPlainObject } from '../transforms/field-map.js';

export const INT_RANGES = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
} as const;

const MAX_DEPTH = 32;
const LOGICAL_NAMES: ReadonlySet<string> = new Set(Object.values(LogicalTypes));

/** What a converter direction takes as it is for the types where reading and writing differ. */
export interface PlainValueRules {
  int64(v: unknown): boolean;
  float(v: unknown): boolean;
  /** Whether a null is replaced by the field's default (then it is not taken as it is). */
  replaceNullWithDefault: boolean;
}

/**
 * Whether `value` is already the struct both JSON converter directions would produce field by
 * field: a plain object with exactly the schema's fields, in its order, each a string, boolean,
 * in-range integer, a number `rules` accepts, null for an optional field without a default to
 * fill in, or such a struct. Logical types, bytes, maps and arrays take the field-by-field path.
 */
export function isPlainStruct(schema: Schema, value: unknown, rules: PlainValueRules, depth = 0): boolean {
  if (depth > MAX_DEPTH || !isPlainObject(value)) return false;
  const fields = schema.fields ?? [];
  let i = 0;
  for (const key in value) {
    const field = fields[i];
    if (field === undefined || key !== field.name) return false;
    if (!isPlainField(field.schema, value[key], rules, depth)) return false;
    i++;
  }
  return i === fields.length;
}

function isPlainField(schema: Schema, v: unknown, rules: PlainValueRules, depth: number): boolean {
  if (v === null)
    return (
      schema.optional &&
      !(rules.replaceNullWithDefault && schema.defaultValue !== undefined && schema.defaultValue !== null)
    );
  if (schema.name !== undefined && LOGICAL_NAMES.has(schema.name)) return false;
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32': {
      const [min, max] = INT_RANGES[schema.type];
      return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
    }
    case 'int64':
      return rules.int64(v);
    case 'float32':
    case 'float64':
      return rules.float(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'struct':
      return isPlainStruct(schema, v, rules, depth + 1);
    default:
      return false;
  }
}
