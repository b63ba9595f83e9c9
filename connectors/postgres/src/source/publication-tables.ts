import type pg from 'pg';
import { listCapturedTables } from './catalog-reader.js';
import type { TableName } from './publication.js';
import type { TableFilter } from './table-filter.js';

/** The tables a filtered publication lists: those the filter captures, as they exist now. */
export async function capturedTablesForPublication(
  client: pg.Client,
  filter: TableFilter,
): Promise<TableName[]> {
  return (await listCapturedTables(client, filter)).map((t) => ({ schema: t.schema, table: t.table }));
}
