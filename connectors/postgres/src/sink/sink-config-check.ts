import type { ConfigValidationResult } from '@sluice/connect-api';
import { connectionSettings, type ConnectionSettings } from './connection-settings.js';
import { describeHost, describeTarget } from './connection-url.js';
import { describePgError } from './pg-error-kind.js';
import { checkSinkConfig, type PostgresSinkConfig } from './postgres-sink.config.js';
import { SinkSession } from './sink-session.js';
import { parseTableName } from './sql-identifier.js';
import { compileTableNameFormat, type TableNameFormat } from './table-name-format.js';

type FieldErrors = ConfigValidationResult['errors'];

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function unreachable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && UNREACHABLE.has(code)) || /timeout/i.test(describePgError(err));
}

/**
 * A failed connect as the field to fix and what to do about it. Of several failures (one per
 * host or address) the first from a server that answered says the most.
 */
function connectError(err: unknown, settings: ConnectionSettings): FieldErrors[number] {
  const inner = (err as { errors?: unknown[] }).errors;
  if (Array.isArray(inner) && inner.length > 0)
    return connectError(inner.find((e) => !unreachable(e)) ?? inner[0], settings);
  const target = describeTarget(settings.target);
  const hostPort = settings.target.hosts.map(describeHost).join(',');
  const code = (err as { code?: unknown }).code;
  const text = describePgError(err);
  if (unreachable(err))
    return {
      field: 'connection.url',
      messages: [
        `cannot reach ${hostPort} (${text}): check the host and port in connection.url and that PostgreSQL accepts TCP connections there`,
      ],
    };
  switch (code) {
    case '28P01':
      return {
        field: 'connection.password',
        messages: [`${text}: check connection.user and connection.password`],
      };
    case '28000':
      return {
        field: 'connection.user',
        messages: [
          `${text}: check connection.user, and that the server's pg_hba.conf lets it connect to ${target}`,
        ],
      };
    case '3D000':
      return {
        field: 'connection.url',
        messages: [`${text} on ${hostPort}: create it, or fix the database name in connection.url`],
      };
  }
  if (/password must be a string|SASL/i.test(text))
    return {
      field: 'connection.password',
      messages: [`the server asks for a password (${text}): set connection.password`],
    };
  return { field: 'connection.url', messages: [`cannot connect to ${target}: ${text}`] };
}

/** Whether connection.user may create tables in `schema` (or the schema itself when it is missing). */
async function canCreateIn(session: SinkSession, schema: string): Promise<string | null> {
  const res = await session.client.query<{
    exists: boolean;
    can_create: boolean | null;
    can_create_schema: boolean;
    user: string;
  }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS exists,
            CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)
                 THEN has_schema_privilege(current_user, $1, 'CREATE') END AS can_create,
            has_database_privilege(current_user, current_database(), 'CREATE') AS can_create_schema,
            current_user AS user`,
    [schema],
  );
  const r = res.rows[0]!;
  if (r.exists && !r.can_create)
    return `user ${r.user} may not create tables in schema ${schema}: GRANT CREATE ON SCHEMA "${schema}" TO "${r.user}"`;
  if (!r.exists && !r.can_create_schema)
    return `schema ${schema} does not exist and user ${r.user} may not create it: create the schema, or GRANT CREATE ON DATABASE to ${r.user}`;
  return null;
}

async function canUseOffsetsTable(session: SinkSession, name: string): Promise<string | null> {
  const table = parseTableName(name);
  const schema = table.schema ?? session.currentSchema;
  const res = await session.client.query<{ oid: string | null; ok: boolean | null; user: string }>(
    `SELECT c.oid::int8 AS oid,
            CASE WHEN c.oid IS NOT NULL THEN has_table_privilege(current_user, c.oid, 'SELECT, INSERT, UPDATE') END AS ok,
            current_user AS user
     FROM (SELECT 1) one
     LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = $1
     LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = $2`,
    [schema, table.table],
  );
  const r = res.rows[0]!;
  if (r.oid === null) {
    const problem = await canCreateIn(session, schema);
    return problem === null
      ? null
      : `exactly.once needs the offsets table ${schema}.${table.table}, and ${problem}`;
  }
  return r.ok
    ? null
    : `user ${r.user} needs SELECT, INSERT and UPDATE on ${schema}.${table.table} for exactly.once`;
}

/**
 * validate(): the settings (cross-field rules, connection.url, table.name.format), then the
 * database itself: it answers, the credentials work, the database exists, and the user holds the
 * privileges auto.create and exactly.once need. Every problem comes back as a field error saying
 * what to change.
 */
export async function checkSinkSetup(
  config: PostgresSinkConfig,
  connectTimeoutMs = 5000,
): Promise<FieldErrors> {
  const errors: FieldErrors = [...checkSinkConfig(config)];
  let settings: ConnectionSettings;
  try {
    settings = connectionSettings(config);
  } catch (err) {
    errors.push({ field: 'connection.url', messages: [(err as Error).message] });
    return errors;
  }
  let format: TableNameFormat | null = null;
  try {
    format = compileTableNameFormat(config['table.name.format']);
  } catch (err) {
    errors.push({ field: 'table.name.format', messages: [(err as Error).message] });
  }
  let session: SinkSession;
  try {
    session = await SinkSession.open(settings, connectTimeoutMs);
  } catch (err) {
    errors.push(connectError(err, settings));
    return errors;
  }
  try {
    if (config['auto.create'] && format && !format.templatedSchema) {
      const problem = await canCreateIn(session, format.literalSchema ?? session.currentSchema);
      if (problem)
        errors.push({
          field: 'auto.create',
          messages: [`${problem}; or create the tables beforehand and set auto.create=false`],
        });
    }
    if (config['exactly.once']) {
      const problem = await canUseOffsetsTable(session, config['offsets.table']);
      if (problem) errors.push({ field: 'offsets.table', messages: [problem] });
    }
  } catch (err) {
    errors.push({
      field: 'connection.url',
      messages: [`checking privileges failed: ${describePgError(err)}`],
    });
  } finally {
    await session.close();
  }
  return errors;
}
