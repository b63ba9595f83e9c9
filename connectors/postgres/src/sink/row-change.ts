import type { Schema, SinkRecord } from '@sluice/connect-api';
import type { TableName } from './sql-identifier.js';

/**
 * The columns a record writes: key columns first (keyCount of them), then the rest. Records that
 * share a schema share one RowShape object, so planning compares shapes by identity first.
 */
export interface RowShape {
  readonly names: readonly string[];
  /** Connect schema per column, for auto.create/evolve and value encoding; null when schemaless. */
  readonly schemas: readonly (Schema | null)[];
  readonly keyCount: number;
  /** Names and key count, to tell whether two shapes write the same columns. */
  readonly signature: string;
}

export function rowShape(
  names: readonly string[],
  schemas: readonly (Schema | null)[],
  keyCount: number,
): RowShape {
  return Object.freeze({
    names: Object.freeze([...names]),
    schemas: Object.freeze([...schemas]),
    keyCount,
    signature: `${keyCount}\u0000${names.join('\u0000')}`,
  });
}

/**
 * Whether the first `count` columns of two shapes are written alike: the same schema, or schemas
 * that agree on everything encoding reads (type, logical name, parameters, what they contain). A
 * field keeps its name when its unit changes (Debezium's MicroTimestamp becoming Timestamp after
 * ALTER COLUMN ... TYPE timestamp(3)), so rows of one statement must not mix the two.
 */
export function sameColumnSchemas(a: RowShape, b: RowShape, count: number): boolean {
  for (let i = 0; i < count; i++) if (!encodesAlike(a.schemas[i] ?? null, b.schemas[i] ?? null)) return false;
  return true;
}

function encodesAlike(a: Schema | null | undefined, b: Schema | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.type !== b.type || a.name !== b.name || !sameParameters(a.parameters, b.parameters)) return false;
  if (!encodesAlike(a.valueSchema, b.valueSchema) || !encodesAlike(a.keySchema, b.keySchema)) return false;
  const fa = a.fields ?? [];
  const fb = b.fields ?? [];
  return (
    fa.length === fb.length &&
    fa.every((f, i) => f.name === fb[i]!.name && encodesAlike(f.schema, fb[i]!.schema))
  );
}

function sameParameters(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => a![k] === b?.[k]);
}

/** The key columns of a shape, as a shape of their own (what a delete writes to staging). */
export function keyShape(shape: RowShape): RowShape {
  return shape.keyCount === shape.names.length
    ? shape
    : rowShape(shape.names.slice(0, shape.keyCount), shape.schemas.slice(0, shape.keyCount), shape.keyCount);
}

/**
 * What one record does to its table. `write` is an insert, upsert or update per insert.mode;
 * `delete` removes the row of `key` (values of shape's columns, all of them key columns).
 */
export type RowChange =
  | { kind: 'write'; record: SinkRecord; table: TableName; shape: RowShape; values: unknown[] }
  | { kind: 'delete'; record: SinkRecord; table: TableName; shape: RowShape; values: unknown[] }
  | { kind: 'truncate'; record: SinkRecord; table: TableName }
  | { kind: 'skip'; record: SinkRecord; reason: SkipReason };

export type SkipReason =
  'tombstone' | 'delete disabled' | 'truncate disabled' | 'message' | 'before start offset';
