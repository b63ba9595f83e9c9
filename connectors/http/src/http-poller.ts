import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConnectError,
  parseSchemalessJson,
  RetriableError,
  writeJson,
  type ConnectLogger,
  type OffsetStorageReader,
  type SourceRecord,
} from '@sluice/connect-api';
import { compileFieldPath, type FieldPath } from './field-path.js';
import { headerText, type HttpClient } from './http-client.js';
import type { HttpSourceConfig, PaginationMode } from './http-source.config.js';
import { parseLinkHeader } from './link-header.js';
import type { RequestAuthorizer } from './request-authorizer.js';
import { parseRetryAfter, retryDelay } from './retry-backoff.js';
import { sendWithRetries, type RetryPolicy } from './retrying-request.js';

/** For requests to another origin than http.url's. */
const NO_AUTHORIZATION: RequestAuthorizer = { authorization: async () => null, rejected: () => false };

/** ETags remembered, one per URL polled (pages of a cursor walk each have their own). */
const MAX_ETAGS = 256;
/** Longest a poll() sleeps before it returns empty-handed, so the runtime stays responsive. */
const MAX_IDLE_MS = 1000;
/** The longest a rate-limited poller waits, whatever Retry-After says. */
const MAX_THROTTLE_MS = 60 * 60 * 1000;

/*
 * Polling mode: one request per poll() when due. Position (the source offset) by pagination mode:
 *   none       {}                               every poll reads http.url again
 *   cursor     { cursor: "<c>", skip?: n }      the request carries ?<param>=<c>
 *   next_link  { next: "<url>", skip?: n,       the request goes to that URL
 *                restore?: [...] }
 * skip counts the items of that page already taken. Each record carries the position just after
 * it: the last record of a page that names a next position carries that position, the others
 * their page's position and their index + 1. So the runtime, which stores a batch's last offset
 * with the batch, resumes after exactly the records that are durable, even when a page is split
 * over several log batches. A page that names a next position is followed at once. A page that
 * names none (or the same one) means caught up: the next poll, poll.interval.ms later, reads it
 * again and takes only the items past those already taken (an append-only API then yields each
 * item once). Requests send If-None-Match with the URL's last ETag; a 304 is an empty page.
 *
 * The source partition is http.url without its query and credentials: tokens in the query (often
 * from ${file:...} or ${env:...}) must not reach the offsets topic or record headers, and rotating
 * one must not start the walk over. For the same reason a next link to http.url's origin is kept
 * without the credentials it repeats from http.url (APIs copy the query into their links): query
 * parameters named like a token, key, secret or signature, and the user and password. `restore`
 * names what was left out ("@" for the user and password), and each request puts it back from the
 * current config, so a rotated key applies to the rest of the walk. Other parameters stay in the
 * link as the API wrote them: a page size changed in http.url must not move a walk under way. A next link to another origin than http.url is followed
 * without the Authorization header and http.headers.*, as browsers follow a cross-origin redirect:
 * an API's answer must not be able to send the credentials elsewhere.
 */
export class HttpPoller {
  private readonly partition: Readonly<Record<string, unknown>>;
  private readonly mode: PaginationMode;
  private readonly records: FieldPath;
  private readonly cursor: FieldPath | null;
  private readonly nextLink: FieldPath | null;
  private readonly key: FieldPath | null;
  private position: string | null = null;
  /** What the next-link position left out of http.url, put back on each request to it. */
  private restored: readonly string[] = [];
  /** Items of the page at `position` already taken. */
  private taken = 0;
  private nextAt = 0;
  private readonly etags = new Map<string, string>();
  /** http.url, parsed once (never changed). */
  private readonly base: URL;
  /** Its query parameters that hold credentials, as written: kept out of stored next links. */
  private readonly secretParts: readonly string[];
  private warnedNoRecords = false;
  /** 429s answered in a row. */
  private throttled = 0;
  private warnedOtherOrigin = false;

  constructor(
    private readonly config: HttpSourceConfig,
    /** http.headers.* */
    private readonly extraHeaders: Readonly<Record<string, string>>,
    private readonly client: HttpClient,
    private readonly authorizer: RequestAuthorizer,
    private readonly policy: RetryPolicy,
    private readonly logger: ConnectLogger,
    private readonly signal: AbortSignal,
  ) {
    const url = new URL(config['http.url']);
    this.base = url;
    this.secretParts = queryParts(url.search).filter((part) => SECRET_PARAM.test(partName(part)));
    this.partition = Object.freeze({ url: `${url.origin}${url.pathname}` });
    this.mode = config['pagination.mode'];
    this.records = compileFieldPath(config['records.pointer']);
    this.cursor = this.mode === 'cursor' ? compileFieldPath(config['pagination.cursor.pointer']) : null;
    this.nextLink =
      this.mode === 'next_link' && config['pagination.next.pointer'] !== ''
        ? compileFieldPath(config['pagination.next.pointer'])
        : null;
    this.key = config['key.field'] === '' ? null : compileFieldPath(config['key.field']);
  }

  /** Picks up the committed position. */
  async resume(offsets: OffsetStorageReader): Promise<void> {
    // earlier versions keyed the position by the whole http.url: one stored so still counts
    const offset =
      (await offsets.offset(this.partition)) ?? (await offsets.offset({ url: this.config['http.url'] }));
    const saved =
      this.mode === 'cursor' ? offset?.['cursor'] : this.mode === 'next_link' ? offset?.['next'] : null;
    if (typeof saved === 'string' && saved !== '') this.position = saved;
    const restore = offset?.['restore'];
    if (this.mode === 'next_link' && Array.isArray(restore))
      this.restored = restore.filter((r): r is string => typeof r === 'string');
    const skip = offset?.['skip'];
    if (this.mode !== 'none' && typeof skip === 'number' && Number.isInteger(skip) && skip > 0)
      this.taken = skip;
  }

  async poll(): Promise<SourceRecord[]> {
    const wait = this.nextAt - Date.now();
    if (wait > 0) {
      await sleep(Math.min(wait, MAX_IDLE_MS), undefined, { signal: this.signal }).catch(() => undefined);
      return [];
    }
    const url = this.requestUrl();
    const sameOrigin = url.origin === this.base.origin;
    if (!sameOrigin && !this.warnedOtherOrigin) {
      this.warnedOtherOrigin = true;
      this.logger.warn(
        `the next link leads to ${url.origin}, not ${this.base.origin} (http.url): following it without credentials or http.headers.*`,
      );
    }
    const headers: Record<string, string> = sameOrigin
      ? { accept: 'application/json', ...this.extraHeaders }
      : { accept: 'application/json' };
    const etag = this.etags.get(url.href);
    if (etag) headers['if-none-match'] = etag;
    const post = this.config['http.method'] === 'POST';
    if (post) headers['content-type'] = 'application/json';
    let reply;
    try {
      reply = await sendWithRetries(
        this.client,
        {
          url,
          method: this.config['http.method'],
          headers,
          body: post ? this.config['http.body'] : undefined,
          maxResponseBytes: this.config['poll.max.response.bytes'],
          overflow: 'fail',
        },
        sameOrigin ? this.authorizer : NO_AUTHORIZATION,
        { ...this.policy, throttledIsAnswer: true },
        this.signal,
        (notice) =>
          this.logger.warn(`poll retry ${notice.attempt} in ${notice.delayMs} ms (${notice.reason})`),
      );
    } catch (err) {
      if (this.signal.aborted) return [];
      throw err;
    }
    if (reply.status === 304) {
      this.nextAt = Date.now() + this.config['poll.interval.ms'];
      return [];
    }
    if (reply.status === 429) {
      // rate limited: the same request again once the API says, without counting against
      // max.retries (a limit of a few an hour would otherwise fail the task)
      this.throttled++;
      const asked = parseRetryAfter(headerText(reply.headers, 'retry-after'));
      const waitMs = retryDelay(this.throttled - 1, this.policy.backoff, asked, Math.random, MAX_THROTTLE_MS);
      this.nextAt = Date.now() + waitMs;
      this.logger.warn(
        `${url.origin}${url.pathname} answered 429: polling again in ${Math.round(waitMs)} ms`,
      );
      return [];
    }
    this.throttled = 0;
    if (reply.status < 200 || reply.status >= 300) {
      throw new ConnectError(`${url.origin}${url.pathname} answered ${reply.status}`);
    }
    let document: unknown = null;
    try {
      if (reply.body.length > 0) {
        const text = reply.body.toString('utf8');
        // a byte order mark is not JSON, but some servers send one
        document = parseSchemalessJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      }
    } catch (err) {
      throw new RetriableError(
        `${url.origin}${url.pathname} answered with invalid JSON: ${(err as Error).message}`,
      );
    }
    const next = this.nextPosition(document, reply.headers.link, url);
    // a link to the page just read is no step forward (a position kept by an earlier version,
    // with the credentials in it, names the same page as one kept without them)
    const advances =
      next !== null &&
      next.at !== this.position &&
      (this.mode !== 'next_link' || next.at !== this.storedLink(new URL(url.href)).at);
    const items = this.itemsOf(document);
    const from = this.mode === 'none' ? 0 : Math.min(this.taken, items.length);
    const records: SourceRecord[] = [];
    for (let i = from; i < items.length; i++) {
      const offset =
        advances && i === items.length - 1
          ? this.offsetFor(next.at, 0, next.restored)
          : this.offsetFor(this.position, i + 1, this.restored);
      records.push(this.recordOf(items[i], offset));
    }
    if (advances) {
      this.position = next.at;
      this.restored = next.restored;
      this.taken = 0;
      this.nextAt = 0;
    } else {
      this.taken = items.length;
      this.nextAt = Date.now() + this.config['poll.interval.ms'];
    }
    // only for a page taken: kept before a failure, it would make the page's retry a 304, skipped
    const newEtag = headerText(reply.headers, 'etag');
    if (newEtag) {
      this.etags.delete(url.href);
      this.etags.set(url.href, newEtag);
      if (this.etags.size > MAX_ETAGS) this.etags.delete(this.etags.keys().next().value!);
    }
    return records;
  }

  private requestUrl(): URL {
    if (this.mode === 'next_link' && this.position) return this.linkUrl(this.position, this.restored);
    const url = new URL(this.base);
    if (this.mode === 'cursor' && this.position)
      url.searchParams.set(this.config['pagination.cursor.param'], this.position);
    return url;
  }

  /** A kept next link with what it left out of http.url put back from the current config. */
  private linkUrl(at: string, restored: readonly string[]): URL {
    const base = this.base;
    const url = new URL(at, base);
    const back = queryParts(base.search).filter((part) => restored.includes(partName(part)));
    if (back.length > 0) url.search = [...queryParts(url.search), ...back].join('&');
    if (restored.includes('@')) {
      url.username = base.username;
      url.password = base.password;
    }
    return url;
  }

  private nextPosition(
    document: unknown,
    link: string | string[] | undefined,
    url: URL,
  ): { at: string; restored: string[] } | null {
    if (this.mode === 'cursor') {
      const value = this.cursor!(document);
      return value === null || value === undefined || value === ''
        ? null
        : { at: String(value), restored: [] };
    }
    if (this.mode === 'next_link') {
      const value = this.nextLink
        ? this.nextLink(document)
        : parseLinkHeader(Array.isArray(link) ? link.join(', ') : link).get('next');
      return typeof value === 'string' && value !== '' ? this.storedLink(new URL(value, url)) : null;
    }
    return null;
  }

  /**
   * A next link as the position keeps it: without the credentials of http.url it repeats, as
   * written there (query parameters named like a token, key, secret or signature, and the user
   * and password). The rest of the link is kept as the API wrote it, its order and encoding too.
   */
  private storedLink(link: URL): { at: string; restored: string[] } {
    const base = this.base;
    const restored: string[] = [];
    if (link.origin !== base.origin) return { at: link.href, restored };
    const secrets = this.secretParts;
    if (secrets.length > 0) {
      const parts = queryParts(link.search);
      const kept = parts.filter((part) => !secrets.includes(part));
      if (kept.length < parts.length) {
        for (const part of parts)
          if (secrets.includes(part) && !restored.includes(partName(part))) restored.push(partName(part));
        link.search = kept.join('&');
      }
    }
    if (
      (base.username !== '' || base.password !== '') &&
      link.username === base.username &&
      link.password === base.password
    ) {
      link.username = '';
      link.password = '';
      restored.push('@');
    }
    return { at: link.href, restored };
  }

  private offsetFor(
    position: string | null,
    skip: number,
    restored: readonly string[],
  ): Readonly<Record<string, unknown>> {
    if (this.mode === 'none') return {};
    const offset: Record<string, unknown> = {};
    if (position !== null) offset[this.mode === 'cursor' ? 'cursor' : 'next'] = position;
    if (skip > 0) offset['skip'] = skip;
    if (restored.length > 0) offset['restore'] = restored;
    return offset;
  }

  private itemsOf(document: unknown): unknown[] {
    const found = this.records(document);
    if (found === undefined && document !== null && !this.warnedNoRecords) {
      // most likely a typo in records.pointer: say so once instead of walking every page silently
      this.warnedNoRecords = true;
      this.logger.warn(
        `records.pointer ${JSON.stringify(this.config['records.pointer'])} finds nothing in the answer of ${this.base.origin}: no records taken from it`,
      );
    }
    return found === undefined || found === null ? [] : Array.isArray(found) ? found : [found];
  }

  private recordOf(item: unknown, offset: Readonly<Record<string, unknown>>): SourceRecord {
    const key = this.key ? this.key(item) : null;
    return {
      topic: this.config.topic,
      kafkaPartition: null,
      keySchema: null,
      key: key === undefined || key === null ? null : typeof key === 'object' ? writeJson(key) : key,
      valueSchema: null,
      value: item,
      timestamp: null,
      headers: [],
      sourcePartition: this.partition,
      sourceOffset: offset,
    };
  }
}

/** Query parameters that hold credentials, by name: these are kept out of stored next links. */
const SECRET_PARAM = /token|key|secret|sig|pass|pwd|auth|credential|session/i;

/** A query's parts (name=value) as written. */
function queryParts(search: string): string[] {
  return search
    .replace(/^\?/, '')
    .split('&')
    .filter((part) => part !== '');
}

function partName(part: string): string {
  const raw = part.split('=', 1)[0]!.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
