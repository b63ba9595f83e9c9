import type { InsertMode } from './postgres-sink.config.js';
import { quoteIdent } from './sql-identifier.js';

/*
 * The SQL text of the sink. Only identifiers (quoted) and types (from format_type() or the type
 * mapping) are ever put into it; values travel by COPY or as parameters.
 *
 * A merge step stages its rows with COPY into a temporary table whose columns are named
 * positionally (op, c0, c1, ...), so no user column name can collide with the sink's own, and
 * then applies them with set-based statements (see write-plan.ts for what op means):
 *
 *   DELETE FROM t USING stage s WHERE s.op <> 'w' AND t.k = s.c0          -- d and r rows
 *   insert: INSERT INTO t (cols) SELECT c0.. FROM stage WHERE op <> 'd'
 *   upsert: ... ON CONFLICT (keys) DO UPDATE SET col = EXCLUDED.col       -- DO NOTHING if all key
 *   update: UPDATE t SET col = s.cN FROM stage s WHERE s.op = 'w' AND t.k = s.c0
 */

export interface ColumnDefinition {
  name: string;
  type: string;
  notNull: boolean;
}

export function createSchemaSql(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`;
}

export function createTableSql(
  table: string,
  columns: readonly ColumnDefinition[],
  primaryKey: readonly string[],
): string {
  const defs = columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
  if (primaryKey.length > 0) defs.push(`PRIMARY KEY (${primaryKey.map(quoteIdent).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${table} (${defs.join(', ')})`;
}

/** New columns are always nullable: existing rows have no value for them. */
export function addColumnsSql(table: string, columns: readonly { name: string; type: string }[]): string {
  return `ALTER TABLE ${table} ${columns.map((c) => `ADD COLUMN IF NOT EXISTS ${quoteIdent(c.name)} ${c.type}`).join(', ')}`;
}

export function stageColumn(i: number): string {
  return `c${i}`;
}

export function createStageSql(stage: string, types: readonly string[]): string {
  const cols = types.map((t, i) => `${stageColumn(i)} ${t}`);
  return `CREATE TEMP TABLE ${stage} (op "char" NOT NULL${cols.length ? ', ' : ''}${cols.join(', ')}) ON COMMIT DELETE ROWS`;
}

export function copyIntoStageSql(stage: string): string {
  return `COPY ${stage} FROM STDIN`;
}

export function copyIntoTableSql(table: string, names: readonly string[]): string {
  return `COPY ${table} (${names.map(quoteIdent).join(', ')}) FROM STDIN`;
}

export interface MergeShape {
  table: string;
  stage: string;
  names: readonly string[];
  keyCount: number;
  /** The step holds d or r rows / w or r rows. */
  deletes: boolean;
  writes: boolean;
}

function keyMatch(names: readonly string[], keyCount: number): string {
  const parts: string[] = [];
  for (let i = 0; i < keyCount; i++) parts.push(`t.${quoteIdent(names[i]!)} = s.${stageColumn(i)}`);
  return parts.join(' AND ');
}

/** The statements that apply a staged step, in order. */
export function mergeSql(mode: InsertMode, m: MergeShape): string[] {
  const out: string[] = [];
  const { table, stage, names, keyCount } = m;
  if (m.deletes && keyCount > 0)
    out.push(
      `DELETE FROM ${table} AS t USING ${stage} AS s WHERE s.op <> 'w' AND ${keyMatch(names, keyCount)}`,
    );
  if (!m.writes) return out;
  const columns = names.map(quoteIdent);
  const staged = names.map((_, i) => stageColumn(i));
  const nonKey = names.slice(keyCount);
  switch (mode) {
    case 'insert':
      out.push(
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${staged.join(', ')} FROM ${stage} WHERE op <> 'd'`,
      );
      break;
    case 'upsert': {
      const conflict = columns.slice(0, keyCount).join(', ');
      const action =
        nonKey.length === 0
          ? 'DO NOTHING'
          : `DO UPDATE SET ${nonKey.map((n) => `${quoteIdent(n)} = EXCLUDED.${quoteIdent(n)}`).join(', ')}`;
      out.push(
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${staged.join(', ')} FROM ${stage} WHERE op <> 'd' ON CONFLICT (${conflict}) ${action}`,
      );
      break;
    }
    case 'update':
      if (nonKey.length === 0) break;
      out.push(
        `UPDATE ${table} AS t SET ${nonKey.map((n, i) => `${quoteIdent(n)} = s.${stageColumn(keyCount + i)}`).join(', ')} FROM ${stage} AS s WHERE s.op = 'w' AND ${keyMatch(names, keyCount)}`,
      );
      break;
  }
  return out;
}

export function truncateSql(table: string): string {
  return `TRUNCATE TABLE ${table}`;
}
