import type pg from 'pg';
import { codecOf, type ColumnCodec } from './pg-text-encoder.js';
import type { TableName } from './sql-identifier.js';

export interface ColumnInfo {
  readonly name: string;
  /** format_type(): quoted and qualified as needed, with modifiers (numeric(10,2), "My Enum"). */
  readonly type: string;
  readonly codec: ColumnCodec;
}

/** A target table as the catalog describes it. */
export interface TableInfo {
  readonly name: { schema: string; table: string };
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  /** Column sets of the primary key and unique indexes (no predicate, no expressions). */
  readonly uniqueKeys: readonly (readonly string[])[];
}

// Domains are read as their base type: the value's text form is what matters for encoding.
const COLUMNS_SQL = `
SELECT c.oid::int8 AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       COALESCE(bt.typname, t.typname) AS typname,
       CASE WHEN COALESCE(bt.typcategory, t.typcategory) = 'A' THEN et.typname END AS elem_typname
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_type et ON et.oid = COALESCE(bt.typelem, t.typelem)
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'f')
ORDER BY a.attnum`;

/**
 * Each unique index's key columns: INCLUDE columns follow them in indkey, and are no key.
 * indnkeyatts is read through to_jsonb because PostgreSQL 10 has no such column (nor INCLUDE).
 */
const UNIQUE_KEYS_SQL = `
SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
FROM pg_catalog.pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
  AND k.ord <= COALESCE((to_jsonb(i) ->> 'indnkeyatts')::int, i.indnatts)
GROUP BY i.indexrelid`;

/** The table's columns and unique keys, or null when there is no such table. */
export async function loadTableInfo(
  client: pg.Client,
  name: { schema: string; table: string },
): Promise<TableInfo | null> {
  const cols = await client.query<{
    oid: string;
    name: string;
    type: string;
    typname: string;
    elem_typname: string | null;
  }>(COLUMNS_SQL, [name.schema, name.table]);
  const first = cols.rows[0];
  if (!first) return null;
  const columns = new Map<string, ColumnInfo>();
  for (const r of cols.rows)
    columns.set(r.name, { name: r.name, type: r.type, codec: codecOf(r.typname, r.elem_typname) });
  const keys = await client.query<{ columns: string[] }>(UNIQUE_KEYS_SQL, [first.oid]);
  return { name, columns, uniqueKeys: keys.rows.map((r) => r.columns) };
}

/** True when some unique key has exactly these columns (what ON CONFLICT (cols) needs). */
export function hasUniqueKey(info: TableInfo, columns: readonly string[]): boolean {
  const wanted = new Set(columns);
  return info.uniqueKeys.some((k) => k.length === wanted.size && k.every((c) => wanted.has(c)));
}

/** With the schema filled in: unqualified names live in the connection's current schema. */
export function resolveSchema(name: TableName, currentSchema: string): { schema: string; table: string } {
  return { schema: name.schema ?? currentSchema, table: name.table };
}
