import pg from 'pg';
import type { PostgresSourceConfig } from './postgres-source.config.js';

/**
 * Session settings every Sluice connection asks for, so that pgoutput and SELECT write values in
 * the one text form the value converters read: ISO dates, ISO 8601 intervals, UTC timestamps,
 * shortest exact floats, hex bytea, and money as "$1,234.56".
 */
const SESSION_OPTIONS = [
  'DateStyle=ISO',
  'IntervalStyle=iso_8601',
  'TimeZone=UTC',
  'extra_float_digits=1',
  'bytea_output=hex',
  'lc_monetary=C',
]
  .map((o) => `-c ${o}`)
  .join(' ');

export type ConnectionSettings = Pick<
  PostgresSourceConfig,
  | 'database.hostname'
  | 'database.port'
  | 'database.user'
  | 'database.password'
  | 'database.dbname'
  | 'database.sslmode'
>;

export interface ClientOptions {
  /** A walsender connection (replication=database): replication commands and START_REPLICATION. */
  replication?: boolean;
  applicationName?: string;
  connectTimeoutMs?: number;
}

export function clientConfig(c: ConnectionSettings, options: ClientOptions = {}): pg.ClientConfig {
  const mode = c['database.sslmode'];
  const config: pg.ClientConfig & { replication?: string } = {
    host: c['database.hostname'],
    port: c['database.port'],
    user: c['database.user'],
    password: c['database.password'],
    database: c['database.dbname'],
    application_name: options.applicationName ?? 'sluice-postgres-source',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 15_000,
    options: SESSION_OPTIONS,
    ssl: mode === 'disable' ? false : { rejectUnauthorized: mode !== 'require' },
    keepAlive: true,
  };
  if (options.replication) config.replication = 'database';
  return config;
}

/**
 * Connects a client. An 'error' event of an idle client (the server went away) would crash the
 * process when nobody listens: `onError` gets it instead (default: ignore; the next query fails).
 */
export async function connectClient(
  c: ConnectionSettings,
  options: ClientOptions = {},
  onError: (err: Error) => void = () => undefined,
): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(c, options));
  client.on('error', onError);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/** Ends a client, giving up after `timeoutMs` (a dead socket can leave end() hanging). */
export async function closeClient(client: pg.Client | null | undefined, timeoutMs = 5_000): Promise<void> {
  if (!client) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      resolve();
    }, timeoutMs);
  });
  try {
    await Promise.race([client.end().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Quotes an identifier for SQL ("a""b"). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for SQL with standard_conforming_strings on ('it''s'). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
