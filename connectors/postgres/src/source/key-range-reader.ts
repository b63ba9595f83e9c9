import type pg from 'pg';
import type { CatalogTable, KeyColumn } from './catalog-reader.js';
import { quoteIdent } from './pg-session.js';
import type { TupleValue } from './pgoutput-message.js';

/** Every column as the server's text: the value converters read the same form as from pgoutput. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/**
 * Keyset reads of one table by primary key, each its own statement (no transaction held open
 * between chunks): the largest key, and the rows after one key up to another, in key order.
 */
export class KeyRangeReader {
  private readonly from: string;
  private readonly select: string;
  private readonly order: string;

  constructor(
    table: CatalogTable,
    columns: readonly string[],
    private readonly primaryKey: readonly KeyColumn[],
  ) {
    this.from = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
    this.select = columns.map(quoteIdent).join(', ') || 'NULL';
    this.order = primaryKey.map((k) => quoteIdent(k.name)).join(', ');
  }

  /** The largest key (text forms), or null when the table is empty. */
  async maxKey(client: pg.Client): Promise<string[] | null> {
    const desc = this.primaryKey.map((k) => `${quoteIdent(k.name)} DESC`).join(', ');
    const { rows } = await client.query<string[]>({
      text: `SELECT ${this.order} FROM ${this.from} ORDER BY ${desc} LIMIT 1`,
      rowMode: 'array',
      types: RAW_TEXT,
    });
    return rows[0] ?? null;
  }

  /** Up to `limit` rows with keys after `after` (null: from the first) and at most `max`. */
  async rows(
    client: pg.Client,
    after: readonly string[] | null,
    max: readonly string[],
    limit: number,
  ): Promise<TupleValue[][]> {
    const n = this.primaryKey.length;
    const params = (offset: number): string =>
      this.primaryKey.map((k, i) => `$${offset + i + 1}::${k.sqlType}`).join(', ');
    const conditions = [`(${this.order}) <= (${params(0)})`];
    if (after) conditions.push(`(${this.order}) > (${params(n)})`);
    const { rows } = await client.query<TupleValue[]>({
      text: `SELECT ${this.select} FROM ${this.from} WHERE ${conditions.join(' AND ')} ORDER BY ${this.order} LIMIT ${limit}`,
      values: after ? [...max, ...after] : [...max],
      rowMode: 'array',
      types: RAW_TEXT,
    });
    return rows;
  }
}
