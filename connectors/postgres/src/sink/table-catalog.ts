import { ConnectError, DataError, type ConnectLogger } from '@sluice/connect-api';
import type pg from 'pg';
import { pgTypeOfSchema, pgTypeOfValue } from './column-type-mapping.js';
import type { InsertMode } from './postgres-sink.config.js';
import type { RowShape } from './row-change.js';
import { addColumnsSql, createSchemaSql, createTableSql, type ColumnDefinition } from './sink-statements.js';
import { checkIdentifierLength, quoteTable, tableKey, type TableName } from './sql-identifier.js';
import { hasUniqueKey, loadTableInfo, resolveSchema, type TableInfo } from './table-metadata.js';
import type { StagedRow } from './write-plan.js';

export interface CatalogOptions {
  mode: InsertMode;
  autoCreate: boolean;
  autoEvolve: boolean;
  logger: ConnectLogger;
}

/**
 * What the sink knows of its target tables, and the DDL that makes them fit the records:
 * CREATE TABLE (auto.create) and ADD COLUMN (auto.evolve), both IF NOT EXISTS so tasks racing to
 * do the same succeed. Runs outside the batch transaction (autocommit), as Confluent's sink does,
 * so a table is there for every task at once and a failed batch does not undo it. The cache
 * survives reconnects (it describes the database, not the connection) and is dropped whenever a
 * batch fails, in case the table changed under the sink.
 */
export class TableCatalog {
  private readonly tables = new Map<string, TableInfo>();

  constructor(private readonly o: CatalogOptions) {}

  invalidate(): void {
    this.tables.clear();
  }

  /** Whether the table is there (a truncate of one never created has nothing to empty). */
  async exists(client: pg.Client, currentSchema: string, table: TableName): Promise<boolean> {
    const name = resolveSchema(table, currentSchema);
    return this.tables.has(tableKey(name)) || (await loadTableInfo(client, name)) !== null;
  }

  /**
   * The table a merge step writes, created or evolved as needed and allowed. Null when the step
   * only deletes from a table that does not exist (nothing to do). Throws DataError when the
   * records do not fit and may not change the table; ConnectError when the table can never take
   * them (an upsert without a unique key on the key columns).
   */
  async ensure(
    client: pg.Client,
    currentSchema: string,
    table: TableName,
    shape: RowShape,
    rows: readonly StagedRow[],
    writes: boolean,
  ): Promise<TableInfo | null> {
    const name = resolveSchema(table, currentSchema);
    const tooLong =
      checkIdentifierLength(name.table, 'table name') ??
      checkIdentifierLength(name.schema, 'schema name') ??
      shape.names.map((n) => checkIdentifierLength(n, 'column name')).find((m) => m !== null);
    if (tooLong) throw new DataError(tooLong);
    const key = tableKey(name);
    let info = this.tables.get(key) ?? (await loadTableInfo(client, name));
    const qualified = quoteTable(name);
    if (!info) {
      if (!writes) return null;
      if (!this.o.autoCreate)
        throw new DataError(
          `table ${name.schema}.${name.table} does not exist: create it, or set auto.create=true to let the sink create it`,
        );
      if (table.schema !== null && !(await schemaExists(client, name.schema)))
        await client.query(createSchemaSql(name.schema));
      await client.query(
        createTableSql(qualified, columnDefinitions(shape, rows, true), shape.names.slice(0, shape.keyCount)),
      );
      this.o.logger.info({ table: `${name.schema}.${name.table}` }, 'created table (auto.create)');
      info = await loadTableInfo(client, name);
      if (!info)
        throw new ConnectError(`table ${name.schema}.${name.table} vanished right after CREATE TABLE`);
    }
    const missing = shape.names.filter((n) => !info!.columns.has(n));
    if (missing.length > 0) {
      if (!writes || !this.o.autoEvolve)
        throw new DataError(
          `table ${name.schema}.${name.table} has no column ${missing.join(', ')}: add ${missing.length > 1 ? 'them' : 'it'}, or set auto.evolve=true to let the sink add ${missing.length > 1 ? 'them' : 'it'}`,
        );
      const defs = columnDefinitions(shape, rows, false).filter((d) => missing.includes(d.name));
      await client.query(addColumnsSql(qualified, defs));
      this.o.logger.info(
        { table: `${name.schema}.${name.table}`, columns: missing },
        'added columns (auto.evolve)',
      );
      info = await loadTableInfo(client, name);
      if (!info || shape.names.some((n) => !info!.columns.has(n)))
        throw new ConnectError(`table ${name.schema}.${name.table} lacks columns right after ALTER TABLE`);
    }
    const keys = shape.names.slice(0, shape.keyCount);
    if (this.o.mode === 'upsert' && writes && keys.length > 0 && !hasUniqueKey(info, keys))
      throw new ConnectError(
        `insert.mode=upsert needs a primary key or unique index on (${keys.join(', ')}) of table ${name.schema}.${name.table}; add one, or let auto.create make the table`,
      );
    this.tables.set(key, info);
    return info;
  }
}

/** Column definitions from the record schema, or from the first non-null value when schemaless. */
function columnDefinitions(shape: RowShape, rows: readonly StagedRow[], create: boolean): ColumnDefinition[] {
  return shape.names.map((name, i) => {
    const schema = shape.schemas[i] ?? null;
    let type: string;
    if (schema) type = pgTypeOfSchema(schema);
    else {
      const sample = rows.find((r) => r.op !== 'd' && r.values[i] !== null && r.values[i] !== undefined);
      type = sample ? pgTypeOfValue(sample.values[i]) : 'text';
    }
    // NOT NULL only at creation: a column added later has no value in the rows already there
    const notNull = create && (i < shape.keyCount || (schema !== null && !schema.optional));
    return { name, type, notNull };
  });
}

/**
 * CREATE SCHEMA IF NOT EXISTS checks CREATE on the database before whether the schema exists, so a
 * role that may create tables in an existing schema, and nothing more, is refused by it.
 */
async function schemaExists(client: pg.Client, schema: string): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rows.length > 0;
}
