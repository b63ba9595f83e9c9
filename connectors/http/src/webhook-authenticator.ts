import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Who may send to a webhook source. With a secret configured, one of:
 *   shared secret  a header (webhook.secret.header) carries the secret itself
 *   github         X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>
 *   stripe         Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *                  (several v1 entries while a secret is rolled; t within the tolerance, so a
 *                  captured request cannot be replayed later)
 * Every comparison is constant-time; the shared secret is compared through its SHA-256 so that
 * not even its length leaks.
 */

export const SIGNATURE_SCHEMES = ['auto', 'github', 'stripe'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export interface WebhookAuthSettings {
  /** Empty: no authentication. */
  secret: string;
  /** Non-empty: shared secret mode, the header that carries it. */
  secretHeader: string;
  scheme: SignatureScheme;
  /** The GitHub-style signature header. */
  signatureHeader: string;
  /** Stripe-style: how far the signed timestamp may be from now. */
  toleranceMs: number;
}

export type AuthOutcome = { ok: true } | { ok: false; message: string };

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const STRIPE_HEADER = 'stripe-signature';

export class WebhookAuthenticator {
  private readonly secretDigest: Buffer;
  private readonly secretHeader: string;
  private readonly signatureHeader: string;

  constructor(private readonly settings: WebhookAuthSettings) {
    this.secretDigest = createHash('sha256').update(settings.secret).digest();
    this.secretHeader = settings.secretHeader.toLowerCase();
    this.signatureHeader = settings.signatureHeader.toLowerCase();
  }

  get enabled(): boolean {
    return this.settings.secret !== '';
  }

  check(headers: Headers, body: Buffer, now = Date.now()): AuthOutcome {
    if (!this.enabled) return { ok: true };
    if (this.secretHeader !== '') return this.checkSharedSecret(headers);
    const scheme =
      this.settings.scheme === 'auto'
        ? headerOf(headers, STRIPE_HEADER) !== undefined &&
          headerOf(headers, this.signatureHeader) === undefined
          ? 'stripe'
          : 'github'
        : this.settings.scheme;
    return scheme === 'stripe' ? this.checkStripe(headers, body, now) : this.checkGithub(headers, body);
  }

  private checkSharedSecret(headers: Headers): AuthOutcome {
    const given = headerOf(headers, this.secretHeader);
    if (given === undefined) return { ok: false, message: `missing ${this.settings.secretHeader} header` };
    const digest = createHash('sha256').update(given).digest();
    return timingSafeEqual(digest, this.secretDigest)
      ? { ok: true }
      : { ok: false, message: `wrong ${this.settings.secretHeader}` };
  }

  private checkGithub(headers: Headers, body: Buffer): AuthOutcome {
    const given = headerOf(headers, this.signatureHeader);
    if (given === undefined)
      return {
        ok: false,
        message: `missing ${this.settings.signatureHeader} header (HMAC-SHA256 signature)`,
      };
    const match = /^sha256=([0-9a-fA-F]{64})$/.exec(given.trim());
    if (!match)
      return {
        ok: false,
        message: `malformed ${this.settings.signatureHeader}: expected sha256=<64 hex digits>`,
      };
    const expected = createHmac('sha256', this.settings.secret).update(body).digest();
    return timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected)
      ? { ok: true }
      : { ok: false, message: 'signature does not match the body' };
  }

  private checkStripe(headers: Headers, body: Buffer, now: number): AuthOutcome {
    const given = headerOf(headers, STRIPE_HEADER);
    if (given === undefined) return { ok: false, message: 'missing Stripe-Signature header' };
    const parsed = parseStripeSignature(given);
    if (!parsed) return { ok: false, message: 'malformed Stripe-Signature: expected t=<seconds>,v1=<hex>' };
    if (Math.abs(now - parsed.timestamp * 1000) > this.settings.toleranceMs)
      return { ok: false, message: 'Stripe-Signature timestamp is outside the tolerance' };
    const expected = createHmac('sha256', this.settings.secret)
      .update(`${parsed.timestamp}.`)
      .update(body)
      .digest();
    // every candidate is compared, so the time taken does not say which one matched
    let matched = false;
    for (const signature of parsed.signatures) {
      if (signature.length === expected.length && timingSafeEqual(signature, expected)) matched = true;
    }
    return matched ? { ok: true } : { ok: false, message: 'signature does not match the body' };
  }
}

/** `t=1700000000,v1=abc...,v1=def...,v0=...`: the timestamp and the v1 signatures. */
export function parseStripeSignature(header: string): { timestamp: number; signatures: Buffer[] } | null {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't' && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    else if (name === 'v1' && /^[0-9a-fA-F]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

/** The GitHub-style header value for `body` (for senders and tests). */
export function githubSignature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The Stripe-style header value for `body` at `timestampSeconds` (for senders and tests). */
export function stripeSignature(secret: string, body: Buffer | string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

function headerOf(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
