import { ConnectError } from '@sluice/connect-api';
import type pg from 'pg';
import type { PublicationMode } from './postgres-source.config.js';
import { quoteIdent } from './pg-session.js';

export interface TableName {
  readonly schema: string;
  readonly table: string;
}

function qualified(t: TableName): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
}

/**
 * Makes sure the publication the stream reads exists, per publication.autocreate.mode:
 * all_tables creates it FOR ALL TABLES; filtered creates it for `tables` or, when it exists,
 * sets its table list to `tables`; disabled only checks that it exists. Run before the slot is
 * created: pgoutput looks publications up as of each change, so one created after the slot's
 * start would be missing for the changes in between.
 */
export async function ensurePublication(
  client: pg.Client,
  name: string,
  mode: PublicationMode,
  tables: readonly TableName[],
  warn: (message: string) => void = () => undefined,
): Promise<'created' | 'updated' | 'exists'> {
  const { rows } = await client.query<{ puballtables: boolean }>(
    'SELECT puballtables FROM pg_publication WHERE pubname = $1',
    [name],
  );
  const existing = rows[0];
  if (mode === 'disabled') {
    if (!existing)
      throw new ConnectError(
        `publication ${name} does not exist and publication.autocreate.mode is disabled: create it (CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ...) or set publication.autocreate.mode to all_tables or filtered`,
      );
    return 'exists';
  }
  if (mode === 'all_tables') {
    if (existing) return 'exists';
    await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR ALL TABLES`);
    return 'created';
  }
  const list = tables.map(qualified).join(', ');
  if (!existing) {
    await client.query(`CREATE PUBLICATION ${quoteIdent(name)}${list ? ` FOR TABLE ${list}` : ''}`);
    return 'created';
  }
  if (existing.puballtables)
    throw new ConnectError(
      `publication ${name} is FOR ALL TABLES, but publication.autocreate.mode=filtered would set its tables: use all_tables mode or another publication.name`,
    );
  const current = await client.query<{ schemaname: string; tablename: string }>(
    'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1',
    [name],
  );
  const have = new Set(current.rows.map((r) => `${r.schemaname}.${r.tablename}`));
  const want = new Set(tables.map((t) => `${t.schema}.${t.table}`));
  if (have.size === want.size && [...want].every((t) => have.has(t))) return 'exists';
  const dropped = [...have].filter((t) => !want.has(t));
  // another connector may read the same publication: its changes of these tables stop here
  if (dropped.length > 0)
    warn(
      `publication ${name} held ${dropped.join(', ')}, which this connector does not capture; publication.autocreate.mode=filtered removes them from it. If another connector reads this publication, give each connector its own publication.name`,
    );
  if (list) await client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
  else
    for (const t of current.rows)
      await client.query(
        `ALTER PUBLICATION ${quoteIdent(name)} DROP TABLE ${qualified({ schema: t.schemaname, table: t.tablename })}`,
      );
  return 'updated';
}
