import { ConfigField, ConfigPrefix } from '@sluice/connect-api';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { HEADERS_PREFIX } from './request-headers.js';

export const AUTH_TYPES = ['none', 'bearer', 'basic', 'oauth2'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const OAUTH2_CLIENT_AUTH = ['header', 'body'] as const;

/**
 * How the connectors call HTTP servers (the sink's receiver, the polled API): authentication,
 * timeouts and retries. Extra request headers are `http.headers.<Name>` keys (a nested map in
 * YAML), read by requestHeadersOf.
 */
@ConfigPrefix(HEADERS_PREFIX)
export class HttpClientConfig {
  @ConfigField({
    doc: 'none; bearer (Authorization: Bearer auth.bearer.token); basic (auth.basic.username/password); oauth2 (client credentials: a token from auth.oauth2.token.url, cached until it expires and fetched again after a 401).',
    group: 'Authentication',
  })
  @IsIn(AUTH_TYPES)
  'auth.type': AuthType = 'none';

  @ConfigField({ doc: 'The bearer token (auth.type=bearer).', secret: true, group: 'Authentication' })
  @IsString()
  'auth.bearer.token' = '';

  @ConfigField({ doc: 'User name (auth.type=basic).', group: 'Authentication' })
  @IsString()
  'auth.basic.username' = '';

  @ConfigField({ doc: 'Password (auth.type=basic).', secret: true, group: 'Authentication' })
  @IsString()
  'auth.basic.password' = '';

  @ConfigField({ doc: 'Token endpoint (auth.type=oauth2).', group: 'Authentication' })
  @IsString()
  'auth.oauth2.token.url' = '';

  @ConfigField({ doc: 'Client id (auth.type=oauth2).', group: 'Authentication' })
  @IsString()
  'auth.oauth2.client.id' = '';

  @ConfigField({ doc: 'Client secret (auth.type=oauth2).', secret: true, group: 'Authentication' })
  @IsString()
  'auth.oauth2.client.secret' = '';

  @ConfigField({
    doc: 'Scopes to ask for, space-separated (auth.type=oauth2). Empty: none.',
    group: 'Authentication',
  })
  @IsString()
  'auth.oauth2.scope' = '';

  @ConfigField({
    doc: 'How the client authenticates to the token endpoint: header (HTTP Basic, RFC 6749 2.3.1) or body (client_id and client_secret form fields).',
    group: 'Authentication',
  })
  @IsIn(OAUTH2_CLIENT_AUTH)
  'auth.oauth2.client.auth': 'header' | 'body' = 'header';

  @ConfigField({
    doc: 'Longest wait for response headers, and then between two chunks of the body (ms).',
    group: 'HTTP',
  })
  @IsInt()
  @Min(1)
  'request.timeout.ms' = 30_000;

  @ConfigField({ doc: 'Longest wait for a TCP (and TLS) connection (ms).', group: 'HTTP' })
  @IsInt()
  @Min(1)
  'connect.timeout.ms' = 10_000;

  @ConfigField({
    doc: 'Retries of a request after network errors, timeouts, 408, 429 and 5xx answers, before the task fails; -1 retries forever.',
    group: 'Retries',
  })
  @IsInt()
  @Min(-1)
  'max.retries' = 10;

  @ConfigField({
    doc: 'First retry delay (ms); it doubles per retry, with jitter, up to retry.backoff.max.ms.',
    group: 'Retries',
  })
  @IsInt()
  @Min(1)
  'retry.backoff.ms' = 100;

  @ConfigField({
    doc: "Longest retry delay (ms); also caps a server's Retry-After.",
    group: 'Retries',
  })
  @IsInt()
  @Min(1)
  @Max(24 * 3600 * 1000)
  'retry.backoff.max.ms' = 60_000;
}
