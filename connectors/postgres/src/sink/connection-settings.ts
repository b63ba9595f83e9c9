import type pg from 'pg';
import { parseConnectionUrl, type ConnectionTarget, type HostPort } from './connection-url.js';
import type { PostgresSinkConfig } from './postgres-sink.config.js';

export interface ConnectionSettings {
  target: ConnectionTarget;
  user: string;
  password: string | null;
}

/** connection.url with connection.user / connection.password laid over it. Throws ConnectionUrlError. */
export function connectionSettings(config: PostgresSinkConfig): ConnectionSettings {
  const target = parseConnectionUrl(config['connection.url']);
  return {
    target,
    user: config['connection.user'] || target.user || 'postgres',
    password: config['connection.password'] || target.password,
  };
}

/**
 * node-postgres client options for one of the target's hosts (the first unless told); a short
 * connect timeout so a dead host fails fast and the next is tried. `tls` decides for sslmode
 * prefer and allow, which try one way and then the other (SinkSession).
 */
export function pgClientConfig(
  settings: ConnectionSettings,
  connectTimeoutMs = 10_000,
  tls = settings.target.sslMode === 'prefer',
  host: HostPort = settings.target.hosts[0]!,
): pg.ClientConfig {
  const { target } = settings;
  const config: pg.ClientConfig = {
    host: host.host,
    port: host.port,
    database: target.database,
    user: settings.user,
    application_name: target.applicationName ?? 'sluice-postgres-sink',
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
  };
  if (settings.password !== null) config.password = settings.password;
  const mode = target.sslMode;
  if (mode !== null && ((mode !== 'allow' && mode !== 'prefer') || tls))
    config.ssl = { rejectUnauthorized: mode === 'verify-ca' || mode === 'verify-full' };
  if (target.searchPath !== null) config.options = `-c search_path=${target.searchPath}`;
  return config;
}
