import type pg from 'pg';

const KEY_TYPES = `
  SELECT format_type(a.atttypid, a.atttypmod) AS sql_type,
         CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN
           (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation)
         END AS collation
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
  JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
  JOIN pg_type t ON t.oid = a.atttypid
  WHERE n.nspname = $1 AND c.relname = $2
  ORDER BY k.ord`;

/**
 * Compares primary keys (as text forms) in the order the server sorts them, types and collations
 * included, which is the order a keyset snapshot read them in. One query per comparison: only
 * used for changes streamed while a resumed snapshot may already hold them.
 */
export class KeyOrder {
  private readonly statements = new Map<string, string | null>();

  /** `client` gives the catalog connection as it is now (it is replaced after a reconnect). */
  constructor(private readonly client: () => pg.Client) {}

  /** Whether key `a` of `table` ("<schema>.<table>") sorts after key `b`. */
  async after(table: string, a: readonly string[], b: readonly string[]): Promise<boolean> {
    const sql = await this.statement(table);
    if (sql === null || a.length !== b.length) return false;
    const { rows } = await this.client().query<{ after: boolean }>(sql, [...a, ...b]);
    return rows[0]?.after === true;
  }

  private async statement(table: string): Promise<string | null> {
    if (this.statements.has(table)) return this.statements.get(table)!;
    const dot = table.indexOf('.');
    const { rows } = await this.client().query<{ sql_type: string; collation: string | null }>(KEY_TYPES, [
      table.slice(0, dot),
      table.slice(dot + 1),
    ]);
    const term = (i: number, r: { sql_type: string; collation: string | null }): string =>
      `$${i}::${r.sql_type}${r.collation ? ` COLLATE ${r.collation}` : ''}`;
    const n = rows.length;
    const sql =
      n === 0
        ? null
        : `SELECT ROW(${rows.map((r, i) => term(i + 1, r)).join(', ')}) > ROW(${rows.map((r, i) => term(n + i + 1, r)).join(', ')}) AS after`;
    this.statements.set(table, sql);
    return sql;
  }
}
