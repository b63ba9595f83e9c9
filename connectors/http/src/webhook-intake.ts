import { createHash } from 'node:crypto';
import {
  writeJson,
  type IngressRequest,
  type IngressResponse,
  type RecordMetadata,
  type SourceRecord,
} from '@sluice/connect-api';
import type { FieldPath } from './field-path.js';
import { IdempotencyCache } from './idempotency-cache.js';
import type { WebhookAuthenticator } from './webhook-authenticator.js';
import { bodyFormatOf, parseWebhookBody } from './webhook-body-parser.js';

export interface WebhookIntakeSettings {
  topic: string;
  maxBodyBytes: number;
  maxPendingRecords: number;
  retryAfterSeconds: number;
  /** Lower-case request header names copied into record headers. */
  copiedHeaders: string[];
  key: FieldPath | null;
  /** Lower case; "" for none. */
  idempotencyHeader: string;
  idempotencyWindowMs: number;
  idempotencyMaxKeys: number;
}

interface PendingRequest {
  remaining: number;
  readonly count: number;
  /** Records the runtime did not write (a transform dropped them, or errors.tolerance=all skipped them). */
  skipped: number;
  readonly resolve: (response: IngressResponse) => void;
}

/** The request a record came in, on the record itself: no map entry per record. */
const REQUEST = Symbol('webhook request');
type IntakeRecord = SourceRecord & { [REQUEST]?: PendingRequest };

/** Webhook records carry no position of their own: a sender's retry is the recovery. */
const SOURCE_PARTITION = Object.freeze({});
const SOURCE_OFFSET = Object.freeze({});

/*
 * Turns webhook requests into records and answers each request once all its records are durable
 * (commitRecord), so a 2xx means "stored" and a sender that retries on anything else loses
 * nothing. A request is checked in this order, and a refused one writes nothing:
 *   405 not POST · 413 body over the limit · 401 authentication · 422 Idempotency-Key reused for
 *   another body · 400 malformed (naming the position), or an item that is null · 429 too many
 *   records pending
 * A repeat of an Idempotency-Key within the window gets the first request's answer (waiting for it
 * when the first is still in progress). Records queued but never polled when the task stops are
 * answered 503: they were not written.
 */
export class WebhookIntake {
  private queue: SourceRecord[] = [];
  /** Requests with records not yet durable. */
  private readonly pending = new Set<PendingRequest>();
  private handedOut = 0;
  private wake: (() => void) | null = null;
  private readonly idempotency: IdempotencyCache | null;
  private closed = false;

  constructor(
    private readonly settings: WebhookIntakeSettings,
    private readonly authenticator: WebhookAuthenticator,
  ) {
    this.idempotency =
      settings.idempotencyHeader !== '' && settings.idempotencyWindowMs > 0
        ? new IdempotencyCache(settings.idempotencyWindowMs, settings.idempotencyMaxKeys)
        : null;
  }

  /** Records accepted and not yet durable. */
  get pendingRecords(): number {
    return this.queue.length + this.handedOut;
  }

  handle(request: IngressRequest): Promise<IngressResponse> {
    if (this.closed) return Promise.resolve(this.unavailable());
    if (request.method !== 'POST') {
      return Promise.resolve(refusal(405, `use POST, not ${request.method}`, { allow: 'POST' }));
    }
    if (request.body.length > this.settings.maxBodyBytes) {
      return Promise.resolve(
        refusal(
          413,
          `the body has ${request.body.length} bytes, more than the ${this.settings.maxBodyBytes} allowed`,
        ),
      );
    }
    const auth = this.authenticator.check(request.headers, request.body);
    if (!auth.ok) return Promise.resolve(refusal(401, auth.message));
    const key = this.idempotency ? headerOf(request.headers, this.settings.idempotencyHeader) : undefined;
    if (key === undefined || !this.idempotency) return this.accept(request);
    const bodyHash = createHash('sha256').update(request.body).digest('base64');
    const seen = this.idempotency.lookup(key, bodyHash);
    if (seen.kind === 'replay') return seen.response;
    if (seen.kind === 'conflict') {
      return Promise.resolve(refusal(422, 'this Idempotency-Key was used for another body'));
    }
    const response = this.accept(request);
    this.idempotency.remember(key, bodyHash, response);
    return response;
  }

  /** The records queued since the last call; they count as pending until committed. */
  take(): SourceRecord[] {
    const out = this.queue;
    this.queue = [];
    this.handedOut += out.length;
    return out;
  }

  /** Resolves when a record is queued, after `ms`, or when the signal aborts. */
  async waitForRecords(ms: number, signal: AbortSignal): Promise<void> {
    if (this.queue.length > 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  /** `metadata` null: the runtime did not write the record (filtered, or skipped as errant). */
  committed(record: SourceRecord, metadata: RecordMetadata | null): void {
    const request = (record as IntakeRecord)[REQUEST];
    if (!request || !this.pending.has(request)) return;
    (record as IntakeRecord)[REQUEST] = undefined;
    this.handedOut--;
    if (metadata === null) request.skipped++;
    if (--request.remaining === 0) {
      this.pending.delete(request);
      // a 2xx still: the other items are stored, and a retry would store them again
      const { count, skipped } = request;
      request.resolve({
        status: 200,
        body: skipped === 0 ? { accepted: count } : { accepted: count - skipped, skipped },
      });
    }
  }

  /** Answers every request not yet answered with 503: nothing more will be written. */
  close(): void {
    this.closed = true;
    for (const request of this.pending) request.resolve(this.unavailable());
    this.pending.clear();
    this.queue = [];
    this.handedOut = 0;
    this.idempotency?.clear();
    this.wake?.();
  }

  private accept(request: IngressRequest): Promise<IngressResponse> {
    const parsed = parseWebhookBody(request.body, bodyFormatOf(headerOf(request.headers, 'content-type')));
    if (!parsed.ok) return Promise.resolve(refusal(400, parsed.message));
    const items = parsed.items;
    const nullAt = items.indexOf(null);
    if (nullAt >= 0) {
      return Promise.resolve(
        refusal(
          400,
          `item ${nullAt} of the body is null; a record needs a value (a null one reads as a tombstone, a delete)`,
        ),
      );
    }
    // an empty array: nothing to store, and no record whose commit would answer
    if (items.length === 0) return Promise.resolve({ status: 200, body: { accepted: 0 } });
    const pendingNow = this.pendingRecords;
    // an oversized request still gets in when nothing is pending, or it never could
    if (pendingNow > 0 && pendingNow + items.length > this.settings.maxPendingRecords) {
      return Promise.resolve(
        refusal(429, `${pendingNow} records are waiting to be stored; retry later`, {
          'retry-after': String(this.settings.retryAfterSeconds),
        }),
      );
    }
    const headers = this.headersOf(request);
    const { topic, key } = this.settings;
    return new Promise((resolve) => {
      const pending: PendingRequest = { remaining: items.length, count: items.length, skipped: 0, resolve };
      this.pending.add(pending);
      const texts = parsed.texts;
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        const record: IntakeRecord = {
          topic,
          kafkaPartition: null,
          keySchema: null,
          key: key ? keyOf(key(item)) : null,
          valueSchema: null,
          value: item,
          timestamp: null,
          headers,
          sourcePartition: SOURCE_PARTITION,
          sourceOffset: SOURCE_OFFSET,
          valueJson: texts[i],
          [REQUEST]: pending,
        };
        this.queue.push(record);
      }
      this.wake?.();
    });
  }

  private headersOf(request: IngressRequest): { key: string; value: string }[] {
    const out: { key: string; value: string }[] = [];
    for (const name of this.settings.copiedHeaders) {
      const value = request.headers[name];
      if (value !== undefined)
        out.push({ key: name, value: Array.isArray(value) ? value.join(', ') : value });
    }
    return out;
  }

  private unavailable(): IngressResponse {
    return refusal(503, 'the connector is stopping; nothing was stored, retry later', {
      'retry-after': String(this.settings.retryAfterSeconds),
    });
  }
}

function refusal(status: number, message: string, headers?: Record<string, string>): IngressResponse {
  return { status, headers, body: { error_code: status, message } };
}

function headerOf(headers: IngressRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Keys are strings or numbers as found; objects become their JSON, so equal keys partition alike. */
function keyOf(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') return writeJson(value);
  return value;
}
