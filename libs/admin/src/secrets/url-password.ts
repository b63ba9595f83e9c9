import { HIDDEN, ONLY_REFERENCES } from './hidden.js';

/*
 * Passwords inside URL-valued settings, as connection.url carries them:
 *   user info    postgresql://user:PASSWORD@host/db, jdbc:postgresql://user:PASSWORD@host/db
 *   query        jdbc:postgresql://host/db?user=app&password=PASSWORD
 */

/** `scheme://user:` is group 1, the password group 2; `@` ends it. */
const USER_INFO = /^((?:jdbc:)?[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]+)@/i;
/**
 * A password-like query parameter: `?password=` or `&password=` is group 1, its value group 2.
 * Names holding a secret-like word count (access_token, client_secret, X-Amz-Signature), as do
 * `key` and `sig` themselves.
 */
const QUERY_SECRET =
  /([?&](?:[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|signature|credential)[\w.-]*|key|sig)=)([^&#\s]*)/gi;

const shown = (secret: string): boolean => secret === HIDDEN || ONLY_REFERENCES.test(secret);

/**
 * `value` with the passwords of a URL in it hidden, or `value` itself when it holds none (or only
 * ${provider:...} references in their place, which name where a secret is).
 */
export function hideUrlPassword(value: string): string {
  if (!value.includes('://')) return value;
  let out = value;
  const info = USER_INFO.exec(out);
  if (info && !shown(info[2]!)) out = `${info[1]}:${HIDDEN}@${out.slice(info[0].length)}`;
  return out.replace(QUERY_SECRET, (whole, name: string, secret: string) =>
    secret === '' || shown(secret) ? whole : name + HIDDEN,
  );
}

/**
 * A value sent back with URL passwords hidden gets the stored value's passwords back, so a
 * read-modify-write round trip (even one that changes the host) keeps them; a password that is
 * not hidden is taken as sent.
 */
export function restoreUrlPassword(incoming: string, stored: string): string {
  if (!incoming.includes(HIDDEN)) return incoming;
  let out = incoming;
  const sent = USER_INFO.exec(out);
  const kept = USER_INFO.exec(stored);
  if (sent && sent[2] === HIDDEN && kept && kept[2] !== HIDDEN)
    out = `${sent[1]}:${kept[2]}@${out.slice(sent[0].length)}`;
  const keptQuery = new Map<string, string>();
  for (const m of stored.matchAll(QUERY_SECRET)) keptQuery.set(m[1]!.slice(1).toLowerCase(), m[2]!);
  return out.replace(QUERY_SECRET, (whole, name: string, secret: string) => {
    const previous = keptQuery.get(name.slice(1).toLowerCase());
    return secret === HIDDEN && previous !== undefined ? name + previous : whole;
  });
}
