import type pg from 'pg';
import type { CatalogTable, KeyColumn } from './catalog-reader.js';
import type { TupleValue } from './pgoutput-message.js';
import { quoteIdent } from './pg-session.js';

/** Every column as the server's text: the value converters read the same form as from pgoutput. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/**
 * Reads one table in chunks inside the snapshot transaction open on `client`. With a primary key,
 * chunks are keyset queries (WHERE (pk) > (last) ORDER BY pk LIMIT n), so reading can resume after
 * any row from its key; without one, a cursor reads the whole table (a resumed snapshot starts
 * such a table again).
 */
export class TableSnapshotReader {
  private readonly select: string;
  private readonly from: string;
  private cursorOpen = false;
  private finished = false;

  constructor(
    private readonly client: pg.Client,
    table: CatalogTable,
    columns: readonly string[],
    private readonly primaryKey: readonly KeyColumn[],
    private readonly chunkSize: number,
  ) {
    this.select = columns.map(quoteIdent).join(', ') || 'NULL';
    this.from = `${quoteIdent(table.schema)}.${quoteIdent(table.table)}`;
  }

  get done(): boolean {
    return this.finished;
  }

  /** The next rows after `afterKey` (the key texts of the last row read; null: from the start). */
  async next(afterKey: readonly string[] | null): Promise<TupleValue[][]> {
    if (this.finished) return [];
    const rows = this.primaryKey.length > 0 ? await this.keyset(afterKey) : await this.cursor();
    if (rows.length < this.chunkSize) {
      this.finished = true;
      await this.close();
    }
    return rows;
  }

  async close(): Promise<void> {
    if (!this.cursorOpen) return;
    this.cursorOpen = false;
    await this.client.query('CLOSE sluice_snapshot');
  }

  private async keyset(afterKey: readonly string[] | null): Promise<TupleValue[][]> {
    const order = this.primaryKey.map((k) => quoteIdent(k.name)).join(', ');
    let text = `SELECT ${this.select} FROM ${this.from}`;
    if (afterKey) {
      const params = this.primaryKey.map((k, i) => `$${i + 1}::${k.sqlType}`).join(', ');
      text += ` WHERE (${order}) > (${params})`;
    }
    text += ` ORDER BY ${order} LIMIT ${this.chunkSize}`;
    const result = await this.client.query<TupleValue[]>({
      text,
      values: afterKey ? [...afterKey] : [],
      rowMode: 'array',
      types: RAW_TEXT,
    });
    return result.rows;
  }

  private async cursor(): Promise<TupleValue[][]> {
    if (!this.cursorOpen) {
      await this.client.query(
        `DECLARE sluice_snapshot NO SCROLL CURSOR FOR SELECT ${this.select} FROM ${this.from}`,
      );
      this.cursorOpen = true;
    }
    const result = await this.client.query<TupleValue[]>({
      text: `FETCH FORWARD ${this.chunkSize} FROM sluice_snapshot`,
      rowMode: 'array',
      types: RAW_TEXT,
    });
    return result.rows;
  }
}
