/**
 * Where the sink connects, from `connection.url` in either of the forms users bring along:
 *
 *   postgres://user:pass@host:5432/db?sslmode=require        (libpq URI; postgresql:// too)
 *   jdbc:postgresql://host:5432/db?user=u&password=p&ssl=true (Confluent JDBC sink configs)
 *   jdbc:postgresql:db                                        (JDBC shorthand for localhost:5432)
 *
 * Several hosts (h1:5432,h2:5433, or libpq's host=h1,h2&port=5432,5433) are tried in order, as
 * libpq and pgjdbc do, each for a session that target_session_attrs (libpq) or targetServerType
 * (pgjdbc) accepts: a sink pointed at every node of a cluster finds the primary after a failover.
 */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Which session a host must give: any; read-write (libpq's, and pgjdbc's primary: read-write
 * transactions by default); primary (libpq's: the server is not a standby).
 */
export type TargetSessionAttrs = 'any' | 'read-write' | 'primary' | 'prefer-read-write';

export interface ConnectionTarget {
  /** In the order they are tried. */
  hosts: readonly HostPort[];
  targetSessionAttrs: TargetSessionAttrs;
  database: string;
  user: string | null;
  password: string | null;
  /** libpq's sslmode (JDBC's ssl=true reads as verify-full, as pgjdbc does); null: no TLS. */
  sslMode: SslMode | null;
  /** JDBC's currentSchema / libpq's options=-c search_path=...: the schema of unqualified tables. */
  searchPath: string | null;
  applicationName: string | null;
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

const SSL_MODES: readonly string[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
const DEFAULT_PORT = 5432;

export class ConnectionUrlError extends Error {
  override name = 'ConnectionUrlError';
}

/** `secret`: the text is a password, and the error must not show it. */
function decode(text: string, what: string, secret = false): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConnectionUrlError(
      secret
        ? `${what} holds a bad percent-escape (a % not followed by two hex digits; write % as %25)`
        : `${what} holds a bad percent-escape: ${text}`,
    );
  }
}

function splitHostPort(hostPort: string): HostPort {
  let host: string;
  let portText = '';
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0) throw new ConnectionUrlError(`unterminated IPv6 address in ${hostPort}`);
    host = hostPort.slice(1, end);
    const rest = hostPort.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new ConnectionUrlError(`bad host ${hostPort}`);
    portText = rest.slice(1);
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    portText = colon >= 0 ? hostPort.slice(colon + 1) : '';
  }
  host = decode(host, 'the host');
  return { host: host || 'localhost', port: portText === '' ? DEFAULT_PORT : portOf(portText) };
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    // not echoed: an unencoded / ? or # in a password cuts the URL there, and its start then
    // reads as the port
    throw new ConnectionUrlError(
      'the port must be a number from 1 to 65535 (a password with / ? # or @ in it must be percent-encoded: %2F %3F %23 %40)',
    );
  return port;
}

/** The URL's hosts, or libpq's host and port parameters (a list each, or one port for all). */
function hostsOf(authority: string, params: Map<string, string>): HostPort[] {
  const hostParam = params.get('host');
  const inUrl = authority.split(',').map(splitHostPort);
  // host= replaces the URL's hosts, not its port (postgres://:6543/db?host=/var/run/postgresql)
  const urlPort = inUrl[0]?.port ?? DEFAULT_PORT;
  let hosts =
    hostParam === undefined
      ? inUrl
      : hostParam.split(',').map((h) => ({ host: h.trim() || 'localhost', port: urlPort }));
  const portParam = params.get('port');
  if (portParam !== undefined) {
    const ports = portParam.split(',').map((p) => portOf(p.trim()));
    if (ports.length !== 1 && ports.length !== hosts.length)
      throw new ConnectionUrlError(
        `connection.url names ${hosts.length} hosts but ${ports.length} ports: give one port for all, or one per host`,
      );
    hosts = hosts.map((h, i) => ({ host: h.host, port: ports[ports.length === 1 ? 0 : i]! }));
  }
  return hosts;
}

const SESSION_ATTRS: Readonly<Record<string, TargetSessionAttrs>> = {
  // libpq's target_session_attrs
  any: 'any',
  'read-write': 'read-write',
  primary: 'primary',
  // pgjdbc's targetServerType: its primary is a host whose sessions are read-write
  master: 'read-write',
  preferPrimary: 'prefer-read-write',
};

/** target_session_attrs or targetServerType; a sink writes, so it never asks for a standby. */
function targetSessionAttrsOf(params: Map<string, string>): TargetSessionAttrs {
  const jdbc = params.get('targetServerType');
  const libpq = params.get('target_session_attrs');
  if (libpq === undefined && jdbc === undefined) return 'any';
  const [name, value] = libpq !== undefined ? ['target_session_attrs', libpq] : ['targetServerType', jdbc!];
  const attrs = name === 'targetServerType' && value === 'primary' ? 'read-write' : SESSION_ATTRS[value];
  if (attrs === undefined)
    throw new ConnectionUrlError(
      `${name} must be ${name === 'targetServerType' ? 'any, primary, master or preferPrimary' : 'any, read-write or primary'} for a sink, which writes; not ${value}`,
    );
  return attrs;
}

function parseQuery(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decode(eq >= 0 ? part.slice(0, eq) : part, 'a parameter name');
    const v = decode(
      (eq >= 0 ? part.slice(eq + 1) : '').replace(/\+/g, ' '),
      `parameter ${k}`,
      /password|secret|key/i.test(k),
    );
    params.set(k, v);
  }
  return params;
}

function sslModeOf(params: Map<string, string>): SslMode | null {
  const mode = params.get('sslmode');
  if (mode !== undefined) {
    if (!SSL_MODES.includes(mode))
      throw new ConnectionUrlError(`sslmode must be one of ${SSL_MODES.join(', ')}, not ${mode}`);
    return mode === 'disable' ? null : (mode as SslMode);
  }
  const ssl = params.get('ssl');
  if (ssl === undefined) return null;
  if (ssl !== '' && ssl !== 'true' && ssl !== '1') return null;
  // pgjdbc: ssl=true verifies the certificate and the host name, unless its non-validating
  // factory is named
  return /NonValidatingFactory$/.test(params.get('sslfactory') ?? '') ? 'require' : 'verify-full';
}

/** `-c search_path=a,b` inside libpq's options parameter. */
function searchPathOfOptions(options: string | undefined): string | null {
  if (!options) return null;
  const m = /(?:^|\s)-c\s*search_path=(\S+)/.exec(options);
  return m ? m[1]! : null;
}

export function parseConnectionUrl(url: string): ConnectionTarget {
  const text = url.trim();
  let rest: string;
  const lower = text.toLowerCase();
  if (lower.startsWith('jdbc:postgresql:')) rest = text.slice('jdbc:postgresql:'.length);
  else if (lower.startsWith('postgresql:')) rest = text.slice('postgresql:'.length);
  else if (lower.startsWith('postgres:')) rest = text.slice('postgres:'.length);
  else
    throw new ConnectionUrlError(
      // only the scheme: the rest may hold a password
      `connection.url must start with postgres://, postgresql:// or jdbc:postgresql://, not ${JSON.stringify(`${text.split('://')[0]!.slice(0, 24)}://…`)}`,
    );

  const q = rest.indexOf('?');
  const params = parseQuery(q >= 0 ? rest.slice(q + 1) : '');
  const beforeQuery = q >= 0 ? rest.slice(0, q) : rest;

  let authority = '';
  let path = beforeQuery;
  if (beforeQuery.startsWith('//')) {
    const slash = beforeQuery.indexOf('/', 2);
    authority = slash >= 0 ? beforeQuery.slice(2, slash) : beforeQuery.slice(2);
    path = slash >= 0 ? beforeQuery.slice(slash + 1) : '';
  }

  let user: string | null = null;
  let password: string | null = null;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = userinfo.indexOf(':');
    user = decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'the user') || null;
    password = colon >= 0 ? decode(userinfo.slice(colon + 1), 'the password', true) : null;
  }
  // "user:pass/word@host/db": the password's / ended the authority early, and what reads as the
  // database holds the rest of the password and the host
  if (at < 0 && authority.includes(':') && path.includes('@'))
    throw new ConnectionUrlError(
      'connection.url has an @ after its host: a password with / ? # or @ in it must be percent-encoded (%2F %3F %23 %40)',
    );
  const hosts = hostsOf(authority, params);
  const database = decode(path, 'the database name');
  if (database === '' && !params.has('dbname'))
    throw new ConnectionUrlError('connection.url names no database (…/<database> after the host)');

  return {
    hosts,
    targetSessionAttrs: targetSessionAttrsOf(params),
    database: database || params.get('dbname')!,
    user: params.get('user') ?? user,
    password: params.get('password') ?? password,
    sslMode: sslModeOf(params),
    searchPath: params.get('currentSchema') ?? searchPathOfOptions(params.get('options')),
    applicationName: params.get('ApplicationName') ?? params.get('application_name') ?? null,
  };
}

/** host:port, with brackets around an IPv6 address. */
export function describeHost({ host, port }: HostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The URL without its password, for messages and logs. */
export function describeTarget(target: ConnectionTarget): string {
  return `${target.hosts.map(describeHost).join(',')}/${target.database}`;
}
