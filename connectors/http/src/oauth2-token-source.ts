import { ConnectError, RetriableError } from '@sluice/connect-api';
import type { HttpClient } from './http-client.js';

export interface OAuth2ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated; empty: none asked for. */
  scope: string;
  /** header: HTTP Basic (RFC 6749 2.3.1); body: client_id and client_secret form fields. */
  clientAuth: 'header' | 'body';
}

/** Tokens are renewed this long before they expire, so a request never carries a stale one. */
const EXPIRY_MARGIN_MS = 30_000;
/** A token endpoint that names no lifetime: asked again after this long (or after a 401). */
const DEFAULT_LIFETIME_MS = 5 * 60_000;

/**
 * OAuth2 client credentials grant (RFC 6749 4.4): fetches an access token, caches it until shortly
 * before it expires, and shares one fetch among concurrent callers. invalidate() after a 401 makes
 * the next caller fetch a fresh one. Errors name the endpoint's status and OAuth error code, never
 * the secret or the token.
 */
export class OAuth2TokenSource {
  private token: { value: string; expiresAt: number } | null = null;
  private fetching: Promise<string> | null = null;

  constructor(
    private readonly client: HttpClient,
    private readonly credentials: OAuth2ClientCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  async accessToken(signal?: AbortSignal): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) return this.token.value;
    this.fetching ??= this.fetchToken(signal).finally(() => (this.fetching = null));
    return this.fetching;
  }

  invalidate(rejected: string): void {
    if (this.token?.value === rejected) this.token = null;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope, clientAuth } = this.credentials;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope !== '') form.set('scope', scope);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (clientAuth === 'header') {
      // RFC 6749 2.3.1: both parts are form-encoded before the Basic encoding
      const pair = `${formEncode(clientId)}:${formEncode(clientSecret)}`;
      headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    let reply;
    try {
      reply = await this.client.send({
        url: new URL(tokenUrl),
        method: 'POST',
        headers,
        body: form.toString(),
        signal,
        maxResponseBytes: 64 * 1024,
        overflow: 'fail',
      });
    } catch (err) {
      throw new RetriableError(
        `OAuth2 token request to ${originOf(tokenUrl)} failed: ${(err as Error).message}`,
      );
    }
    let answer: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {};
    try {
      answer = JSON.parse(reply.body.toString('utf8')) as typeof answer;
    } catch {
      // reported below by what is missing
    }
    if (reply.status < 200 || reply.status >= 300 || typeof answer.access_token !== 'string') {
      const code = typeof answer.error === 'string' ? ` (${answer.error})` : '';
      const message = `OAuth2 token endpoint ${originOf(tokenUrl)} answered ${reply.status}${code} without an access token`;
      if (reply.status >= 500 || reply.status === 429) throw new RetriableError(message);
      throw new OAuth2Error(message);
    }
    const lifetimeMs =
      typeof answer.expires_in === 'number' && answer.expires_in > 0
        ? answer.expires_in * 1000
        : DEFAULT_LIFETIME_MS;
    this.token = {
      value: answer.access_token,
      expiresAt: this.now() + Math.max(lifetimeMs - EXPIRY_MARGIN_MS, lifetimeMs / 2),
    };
    return answer.access_token;
  }
}

/** The token endpoint refused the client (bad id or secret, unknown scope): retrying cannot help. */
export class OAuth2Error extends ConnectError {
  override name = 'OAuth2Error';
}

function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
