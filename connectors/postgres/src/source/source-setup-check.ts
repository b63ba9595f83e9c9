import type { ConfigValidationResult } from '@sluice/connect-api';
import type pg from 'pg';
import { listCapturedTables, type CatalogTable } from './catalog-reader.js';
import { closeClient, connectClient, quoteIdent } from './pg-session.js';
import { sqlState } from './pg-errors.js';
import type { PostgresSourceConfig } from './postgres-source.config.js';
import { slotInfo, slotMismatch } from './replication-slot.js';
import { compileEntry, filterConfigErrors, parseMessageKeyColumns, TableFilter } from './table-filter.js';

type FieldErrors = ConfigValidationResult['errors'];

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** A failed connection as the setting to fix and what to do. Never echoes the password. */
export function connectFailure(
  err: unknown,
  c: PostgresSourceConfig,
  replication: boolean,
): FieldErrors[number] {
  const where = `${c['database.hostname']}:${c['database.port']}`;
  const text = err instanceof Error ? err.message : String(err);
  const code = sqlState(err);
  if ((code && UNREACHABLE.has(code)) || /timeout/i.test(text))
    return {
      field: 'database.hostname',
      messages: [`cannot reach PostgreSQL at ${where} (${text}): check database.hostname and database.port`],
    };
  switch (code) {
    case '28P01':
      return {
        field: 'database.password',
        messages: [`${text}: check database.user and database.password`],
      };
    case '28000':
      return {
        field: 'database.user',
        messages: [
          replication
            ? `${text}: the server refuses replication connections for ${c['database.user']}; add a "host replication ${c['database.user']} ..." line to pg_hba.conf (or grant REPLICATION)`
            : `${text}: check database.user and the server's pg_hba.conf`,
        ],
      };
    case '3D000':
      return { field: 'database.dbname', messages: [`${text} on ${where}: fix database.dbname`] };
  }
  if (/password must be a string|SASL/i.test(text))
    return {
      field: 'database.password',
      messages: [`the server asks for a password: set database.password (${text})`],
    };
  return { field: 'database.hostname', messages: [`cannot connect to ${where}: ${text}`] };
}

/**
 * Everything validate() can check against the server before a connector starts: the connection
 * (normal and replication), wal_level, the user's REPLICATION attribute, that every
 * table.include.list entry names a table the user may read, the publication (exists, or may be
 * created in the chosen mode) and an existing slot's plugin and database. One message per
 * problem, on the setting to change.
 */
export async function checkSourceSetup(c: PostgresSourceConfig): Promise<FieldErrors> {
  const errors: FieldErrors = [...filterConfigErrors(c)];
  try {
    parseMessageKeyColumns(c['message.key.columns']);
  } catch (err) {
    errors.push({ field: 'message.key.columns', messages: [(err as Error).message] });
  }
  if (errors.length > 0) return errors;
  let client: pg.Client;
  try {
    client = await connectClient(c, {
      connectTimeoutMs: 10_000,
      applicationName: 'sluice-postgres-validate',
    });
  } catch (err) {
    return [connectFailure(err, c, false)];
  }
  try {
    const walLevel = (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]?.wal_level;
    if (walLevel !== 'logical')
      errors.push({
        field: 'database.hostname',
        messages: [
          `the server at ${c['database.hostname']}:${c['database.port']} has wal_level=${walLevel}, but logical replication needs wal_level=logical: set it in postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart the server`,
        ],
      });
    const role = (
      await client.query<{ rolreplication: boolean; rolsuper: boolean }>(
        'SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user',
      )
    ).rows[0];
    const superuser = role?.rolsuper === true;
    if (!superuser && role?.rolreplication !== true)
      errors.push({
        field: 'database.user',
        messages: [
          `${c['database.user']} may not use replication: ALTER ROLE ${quoteIdent(c['database.user'])} REPLICATION (or connect as a user that may)`,
        ],
      });
    const tables = await listCapturedTables(client, new TableFilter(c));
    errors.push(...tableErrors(c, tables));
    errors.push(...(await unreadable(client, tables)));
    errors.push(...(await publicationErrors(client, c, tables, superuser)));
    const slot = await slotInfo(client, c['slot.name']);
    const mismatch = slot && slotMismatch(slot, c['database.dbname']);
    if (mismatch) errors.push({ field: 'slot.name', messages: [mismatch] });
  } finally {
    await closeClient(client);
  }
  if (errors.length === 0) {
    try {
      await closeClient(await connectClient(c, { replication: true, connectTimeoutMs: 10_000 }));
    } catch (err) {
      errors.push(connectFailure(err, c, true));
    }
  }
  return errors;
}

function tableErrors(c: PostgresSourceConfig, tables: readonly CatalogTable[]): FieldErrors {
  const filter = new TableFilter(c);
  const missing = filter.includeEntries.filter((entry) => {
    const re = compileEntry(entry);
    return !tables.some((t) => re.test(`${t.schema}.${t.table}`));
  });
  if (missing.length === 0) return [];
  return [
    {
      field: 'table.include.list',
      messages: missing.map(
        (e) =>
          `no table of database ${c['database.dbname']} matches ${JSON.stringify(e)}: create it or fix the entry (entries are regular expressions matched against "<schema>.<table>")`,
      ),
    },
  ];
}

async function unreadable(client: pg.Client, tables: readonly CatalogTable[]): Promise<FieldErrors> {
  if (tables.length === 0) return [];
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = ANY($1::oid[]) AND NOT has_table_privilege(c.oid, 'SELECT') ORDER BY 1`,
    [tables.map((t) => t.oid)],
  );
  if (rows.length === 0) return [];
  return [
    {
      field: 'database.user',
      messages: [
        `the user may not read ${rows.map((r) => r.name).join(', ')}: GRANT SELECT on them, or leave them out of table.include.list`,
      ],
    },
  ];
}

async function publicationErrors(
  client: pg.Client,
  c: PostgresSourceConfig,
  tables: readonly CatalogTable[],
  superuser: boolean,
): Promise<FieldErrors> {
  const name = c['publication.name'];
  const mode = c['publication.autocreate.mode'];
  const existing = (
    await client.query<{ puballtables: boolean }>(
      'SELECT puballtables FROM pg_publication WHERE pubname = $1',
      [name],
    )
  ).rows[0];
  if (mode === 'disabled') {
    if (existing) return [];
    return [
      {
        field: 'publication.name',
        messages: [
          `publication ${name} does not exist and publication.autocreate.mode=disabled: create it (CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ...) or set publication.autocreate.mode to filtered or all_tables`,
        ],
      },
    ];
  }
  if (mode === 'all_tables') {
    if (existing || superuser) return [];
    return [
      {
        field: 'publication.autocreate.mode',
        messages: [
          `creating publication ${name} FOR ALL TABLES needs a superuser, which ${c['database.user']} is not: have one create it, or set publication.autocreate.mode=filtered (the user must own the captured tables)`,
        ],
      },
    ];
  }
  if (existing?.puballtables)
    return [
      {
        field: 'publication.autocreate.mode',
        messages: [
          `publication ${name} is FOR ALL TABLES, so filtered mode cannot set its tables: set publication.autocreate.mode=all_tables or choose another publication.name`,
        ],
      },
    ];
  const messages: string[] = [];
  if (tables.length > 0) {
    const { rows } = await client.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.oid = ANY($1::oid[]) AND NOT pg_has_role(c.relowner, 'USAGE') ORDER BY 1`,
      [tables.map((t) => t.oid)],
    );
    if (rows.length > 0)
      messages.push(
        `publication.autocreate.mode=filtered puts the captured tables into publication ${name}, which needs ownership of ${rows.map((r) => r.name).join(', ')}: have the owner create the publication and set publication.autocreate.mode=disabled`,
      );
  }
  if (!existing && !superuser) {
    const canCreate = (
      await client.query<{ ok: boolean }>("SELECT has_database_privilege(current_database(), 'CREATE') AS ok")
    ).rows[0]?.ok;
    if (!canCreate)
      messages.push(
        `creating publication ${name} needs the CREATE privilege on database ${c['database.dbname']}: GRANT CREATE ON DATABASE ${quoteIdent(c['database.dbname'])} TO ${quoteIdent(c['database.user'])}, or create the publication and set publication.autocreate.mode=disabled`,
      );
  }
  return messages.length > 0 ? [{ field: 'publication.autocreate.mode', messages }] : [];
}
