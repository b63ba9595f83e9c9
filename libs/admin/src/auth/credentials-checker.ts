import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthOptions } from '../admin-module-options.js';

export type AuthOutcome = { ok: true } | { ok: false; message: string; challenge: string };

const REALM = 'Sluice';

/** Compares secrets in time independent of where they differ (and of their lengths, via digests). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Checks an Authorization header against the configured scheme. Plain TypeScript so that the
 * guard and the hook protecting the docs routes share it.
 */
export class CredentialsChecker {
  constructor(private readonly auth: AuthOptions) {
    if (auth.type === 'bearer' && auth.token.length === 0) throw new Error('auth.token must not be empty');
    if (auth.type === 'basic' && Object.keys(auth.users).length === 0) {
      throw new Error('auth.users must name at least one user');
    }
  }

  get enabled(): boolean {
    return this.auth.type !== 'none';
  }

  check(authorization: string | undefined): AuthOutcome {
    const auth = this.auth;
    if (auth.type === 'none') return { ok: true };
    if (auth.type === 'bearer') {
      const challenge = `Bearer realm="${REALM}"`;
      const token = credentialsOf(authorization, 'bearer');
      if (token === undefined) return { ok: false, message: 'Authentication required', challenge };
      return sameSecret(token, auth.token)
        ? { ok: true }
        : { ok: false, message: 'Invalid credentials', challenge: `${challenge}, error="invalid_token"` };
    }
    const challenge = `Basic realm="${REALM}", charset="UTF-8"`;
    const encoded = credentialsOf(authorization, 'basic');
    if (encoded === undefined) return { ok: false, message: 'Authentication required', challenge };
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':'); // RFC 7617: user-id ":" password; the password may hold colons
    const user = decoded.slice(0, Math.max(colon, 0));
    const password = decoded.slice(colon + 1);
    const expected = colon > 0 && Object.hasOwn(auth.users, user) ? auth.users[user] : undefined;
    // compare even for an unknown user, so that timing does not tell which users exist
    const matches = sameSecret(password, expected ?? '\u0000no such user');
    return matches && expected !== undefined
      ? { ok: true }
      : { ok: false, message: 'Invalid credentials', challenge };
  }
}

function credentialsOf(header: string | undefined, scheme: 'bearer' | 'basic'): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== scheme) return undefined;
  const value = header.slice(space + 1).trim();
  return value.length > 0 ? value : undefined;
}
