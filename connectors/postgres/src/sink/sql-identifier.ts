import { DataError } from '@sluice/connect-api';

/**
 * Identifiers in SQL text. Every table and column name the sink writes goes through quoteIdent:
 * names come from topics and record fields, which anyone producing to the log controls, so
 * nothing is ever pasted in unquoted. Values never appear in SQL text at all (parameters or COPY).
 */

/**
 * `"name"`, with embedded double quotes doubled. A NUL cannot be quoted: Postgres refuses it, and
 * the name comes from a record (a field, a topic), so that record is what is wrong.
 */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000'))
    throw new DataError(`an identifier cannot contain a NUL character: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

/** A table, with its schema once resolved (null: the connection's current schema). */
export interface TableName {
  readonly schema: string | null;
  readonly table: string;
}

/** `"schema"."table"` or `"table"`. */
export function quoteTable(name: TableName): string {
  return name.schema === null
    ? quoteIdent(name.table)
    : `${quoteIdent(name.schema)}.${quoteIdent(name.table)}`;
}

/** A name as users write it in settings (offsets.table): schema.table splits on the first dot only. */
export function parseTableName(text: string): TableName {
  const dot = text.indexOf('.');
  if (dot < 0) return { schema: null, table: text };
  return { schema: text.slice(0, dot), table: text.slice(dot + 1) };
}

/** Unambiguous map key for a table (a NUL cannot occur in an identifier). */
export function tableKey(name: TableName): string {
  return `${name.schema ?? ''}\u0000${name.table}`;
}

/** For messages: schema.table as written, without quoting noise. */
export function describeTable(name: TableName): string {
  return name.schema === null ? name.table : `${name.schema}.${name.table}`;
}

/** Postgres truncates identifiers longer than NAMEDATALEN-1 bytes; two long names could then collide. */
export const MAX_IDENTIFIER_BYTES = 63;

export function checkIdentifierLength(name: string, what: string): string | null {
  const bytes = Buffer.byteLength(name, 'utf8');
  return bytes > MAX_IDENTIFIER_BYTES
    ? `${what} ${JSON.stringify(name)} is ${bytes} bytes long; Postgres keeps only ${MAX_IDENTIFIER_BYTES}`
    : null;
}
