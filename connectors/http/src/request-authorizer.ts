import type { HttpClient } from './http-client.js';
import type { HttpClientConfig } from './http-client.config.js';
import { OAuth2TokenSource } from './oauth2-token-source.js';

/**
 * The Authorization header of outgoing requests, per auth.type. rejected() is told about a 401:
 * with OAuth2 the token is dropped and the request may be sent once more with a fresh one.
 */
export interface RequestAuthorizer {
  authorization(signal?: AbortSignal): Promise<string | null>;
  /** True when a retry may succeed (a fresh token was made possible). */
  rejected(authorization: string | null): boolean;
}

export function requestAuthorizerFor(config: HttpClientConfig, client: HttpClient): RequestAuthorizer {
  switch (config['auth.type']) {
    case 'bearer': {
      const value = `Bearer ${config['auth.bearer.token']}`;
      return { authorization: async () => value, rejected: () => false };
    }
    case 'basic': {
      const pair = `${config['auth.basic.username']}:${config['auth.basic.password']}`;
      const value = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
      return { authorization: async () => value, rejected: () => false };
    }
    case 'oauth2': {
      const tokens = new OAuth2TokenSource(client, {
        tokenUrl: config['auth.oauth2.token.url'],
        clientId: config['auth.oauth2.client.id'],
        clientSecret: config['auth.oauth2.client.secret'],
        scope: config['auth.oauth2.scope'],
        clientAuth: config['auth.oauth2.client.auth'],
      });
      return {
        authorization: async (signal) => `Bearer ${await tokens.accessToken(signal)}`,
        rejected: (authorization) => {
          if (!authorization) return false;
          tokens.invalidate(authorization.slice('Bearer '.length));
          return true;
        },
      };
    }
    default:
      return { authorization: async () => null, rejected: () => false };
  }
}

/** Settings that must go together per auth.type, as field errors. */
export function authConfigProblems(config: HttpClientConfig): { field: string; messages: string[] }[] {
  const missing = (field: keyof HttpClientConfig & string): { field: string; messages: string[] } | null =>
    config[field] === ''
      ? { field, messages: [`${field} is required with auth.type=${config['auth.type']}`] }
      : null;
  const checks: (keyof HttpClientConfig & string)[] =
    config['auth.type'] === 'bearer'
      ? ['auth.bearer.token']
      : config['auth.type'] === 'basic'
        ? ['auth.basic.username']
        : config['auth.type'] === 'oauth2'
          ? ['auth.oauth2.token.url', 'auth.oauth2.client.id', 'auth.oauth2.client.secret']
          : [];
  return checks.map(missing).filter((p): p is { field: string; messages: string[] } => p !== null);
}
