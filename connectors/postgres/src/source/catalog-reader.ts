import type pg from 'pg';
import type { RelationMessage } from './pgoutput-message.js';
import type { ColumnDescriptor, TableDescriptor } from './table-schema.js';
import type { MessageKeyColumns, TableFilter } from './table-filter.js';

/** A table the connector captures, as listed from the catalog. */
export interface CatalogTable {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  /** pg_class.reltuples: the planner's row estimate (-1: never analyzed). */
  readonly estimatedRows: number;
}

/** Ordinary tables and leaf partitions the filter captures, sorted by schema then name. */
export async function listCapturedTables(client: pg.Client, filter: TableFilter): Promise<CatalogTable[]> {
  const { rows } = await client.query<{ oid: string; schema: string; table: string; reltuples: number }>(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS table, c.reltuples::float8 AS reltuples
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
     ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`,
  );
  return rows
    .filter((r) => filter.captures(r.schema, r.table))
    .map((r) => ({
      oid: Number(r.oid),
      schema: r.schema,
      table: r.table,
      estimatedRows: Number(r.reltuples),
    }));
}

/**
 * Of `tables`, those Postgres cannot replicate updates and deletes of: no primary key and REPLICA
 * IDENTITY DEFAULT, or REPLICA IDENTITY NOTHING. While a publication publishes them, Postgres
 * refuses UPDATE and DELETE on such a table, so the application writing it fails.
 */
export async function tablesWithoutReplicaIdentity(
  client: pg.Client,
  tables: readonly { schema: string; table: string }[],
): Promise<string[]> {
  if (tables.length === 0) return [];
  const { rows } = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN unnest($1::text[], $2::text[]) AS t(schema, name) ON t.schema = n.nspname AND t.name = c.relname
     WHERE c.relreplident = 'n'
        OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
     ORDER BY 1, 2`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return rows.map((r) => `${r.schema}.${r.table}`);
}

/** One ordinary table by name, or null when there is none. */
export async function findTable(
  client: pg.Client,
  schema: string,
  table: string,
): Promise<CatalogTable | null> {
  const { rows } = await client.query<{ oid: string; reltuples: number }>(
    `SELECT c.oid::int8 AS oid, c.reltuples::float8 AS reltuples
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  const row = rows[0];
  return row ? { oid: Number(row.oid), schema, table, estimatedRows: Number(row.reltuples) } : null;
}

/** A key column with what a keyset query needs to compare it in the table's own order. */
export interface KeyColumn {
  readonly name: string;
  /** format_type(): "character varying(20)", to cast text parameters. */
  readonly sqlType: string;
  /** Qualified collation when the column has a non-default one, else null. */
  readonly collation: string | null;
}

export interface TableDescription {
  readonly descriptor: TableDescriptor;
  /** Primary key columns in index order; empty without a primary key. */
  readonly primaryKey: readonly KeyColumn[];
}

interface AttributeRow {
  name: string;
  type_oid: string;
  typmod: number;
  not_null: boolean;
  dims: number;
  sql_type: string;
  collation: string | null;
}

const ATTRIBUTES = `
  SELECT a.attname AS name, a.atttypid::int8 AS type_oid, a.atttypmod AS typmod, a.attnotnull AS not_null,
         a.attndims AS dims, format_type(a.atttypid, a.atttypmod) AS sql_type,
         CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN
           (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation)
         END AS collation
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
  WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
  ORDER BY a.attnum`;

const PRIMARY_KEY = `
  SELECT a.attname AS name
  FROM pg_index i
  JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
  WHERE i.indrelid = $1 AND i.indisprimary
  ORDER BY k.ord`;

const IDENTITY = `SELECT relreplident::text AS identity FROM pg_class WHERE oid = $1`;

function identityOf(code: string | undefined): TableDescriptor['replicaIdentity'] {
  return code === 'f' ? 'full' : code === 'n' ? 'nothing' : code === 'i' ? 'index' : 'default';
}

/** Columns, keys and replica identity of one table, read in the client's current snapshot. */
export async function describeTable(
  client: pg.Client,
  table: CatalogTable,
  keyColumns: MessageKeyColumns,
): Promise<TableDescription> {
  const attrs = (await client.query<AttributeRow>(ATTRIBUTES, [table.oid])).rows;
  const pkNames = (await client.query<{ name: string }>(PRIMARY_KEY, [table.oid])).rows.map((r) => r.name);
  const identity = (await client.query<{ identity: string }>(IDENTITY, [table.oid])).rows[0]?.identity;
  const columns: ColumnDescriptor[] = attrs.map((a) => ({
    name: a.name,
    typeOid: Number(a.type_oid),
    typeMod: a.typmod,
    optional: !a.not_null,
    dims: a.dims,
  }));
  const byName = new Map(attrs.map((a) => [a.name, a]));
  const primaryKey = pkNames.map((name) => {
    const a = byName.get(name)!;
    return { name, sqlType: a.sql_type, collation: a.collation };
  });
  return {
    descriptor: {
      schema: table.schema,
      table: table.table,
      columns,
      keyColumns: keyColumns.columnsFor(table.schema, table.table) ?? pkNames,
      replicaIdentity: identityOf(identity),
    },
    primaryKey,
  };
}

/**
 * The descriptor of a table as a relation message describes it (the columns as of the change
 * being decoded), completed from the current catalog where it still agrees: NOT NULL, array
 * dimensions and the primary key. A column the catalog no longer has with the same type is taken
 * as nullable, so an older change never breaks a newer constraint.
 */
export async function describeRelation(
  client: pg.Client,
  relation: RelationMessage,
  keyColumns: MessageKeyColumns,
): Promise<TableDescriptor> {
  const attrs = (await client.query<AttributeRow>(ATTRIBUTES, [relation.relationOid])).rows;
  const pkNames = (await client.query<{ name: string }>(PRIMARY_KEY, [relation.relationOid])).rows.map(
    (r) => r.name,
  );
  const byName = new Map(attrs.map((a) => [a.name, a]));
  const columns: ColumnDescriptor[] = relation.columns.map((c) => {
    const a = byName.get(c.name);
    const same = a !== undefined && Number(a.type_oid) === c.typeOid;
    return {
      name: c.name,
      typeOid: c.typeOid,
      typeMod: c.typeMod,
      optional: !(same && a.not_null),
      dims: same ? a.dims : 0,
    };
  });
  const present = new Set(relation.columns.map((c) => c.name));
  const override = keyColumns.columnsFor(relation.schema, relation.table);
  let pk = pkNames.length > 0 && pkNames.every((n) => present.has(n)) ? pkNames : [];
  // a table dropped since the change (the connector lags): the replica identity the change was
  // written under is its primary key unless the table said otherwise
  if (attrs.length === 0 && relation.replicaIdentity === 'default')
    pk = relation.columns.filter((c) => c.isKey).map((c) => c.name);
  return {
    schema: relation.schema,
    table: relation.table,
    columns,
    keyColumns: override ?? pk,
    replicaIdentity: relation.replicaIdentity,
  };
}
