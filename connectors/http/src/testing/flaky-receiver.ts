import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/*
 * An HTTP receiver for sink tests and the bench: it stores the JSON array or NDJSON bodies it is
 * sent, deduplicating by Idempotency-Key as a careful receiver would, and (when flaky) fails on
 * purpose: 500s, 429 with Retry-After, slow answers, and connections reset before or after the
 * body was stored (the latter is the case deduplication exists for).
 *
 * Two ways to deduplicate (see OffsetDedupe for why the second exists):
 *   key      a key seen before is a repeat: retries of one batch
 *   offsets  the key read as <topic>/<partition>/<first>-<last>: offsets at or below the highest
 *            stored for that partition are repeats, also when a restarted sink batches them
 *            differently
 */

export interface Flakiness {
  /** Each a probability per request. */
  error500: number;
  throttle429: number;
  slow: number;
  resetBefore: number;
  resetAfter: number;
  /** How long a slow answer takes (ms). */
  slowMs: number;
  /** The Retry-After a 429 carries (seconds). */
  retryAfterSeconds: number;
}

export const STEADY: Flakiness = {
  error500: 0,
  throttle429: 0,
  slow: 0,
  resetBefore: 0,
  resetAfter: 0,
  slowMs: 0,
  retryAfterSeconds: 0,
};

export interface ReceivedRequest {
  url: string;
  headers: http.IncomingHttpHeaders;
  items: unknown[];
}

export interface ReceiverOptions {
  random?: () => number;
  /** Keep parsed items (off for the bench, which only counts). */
  keep?: boolean;
  dedupe?: 'key' | 'offsets';
}

export class FlakyReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Items stored, after deduplication. */
  readonly items: unknown[] = [];
  /** duplicates: requests stored before; overlaps: requests partly stored before. */
  readonly stats = { requests: 0, duplicates: 0, overlaps: 0, failed: 0 };
  /** Requests the offsets dedupe could not place (their items are stored anyway). */
  readonly problems: string[] = [];
  private readonly seenKeys = new Set<string>();
  private readonly offsets = new OffsetDedupe();
  private readonly random: () => number;
  private readonly keep: boolean;
  private readonly dedupe: 'key' | 'offsets';
  private server: http.Server | null = null;
  private sockets = new Set<Socket>();
  /** Answers this status (with a JSON error) to every request while set. */
  refuseWith: number | null = null;

  constructor(
    public flakiness: Flakiness = STEADY,
    options: ReceiverOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.keep = options.keep ?? true;
    this.dedupe = options.dedupe ?? 'key';
  }

  itemCount = 0;

  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const f = this.flakiness;
    if (this.refuseWith !== null) {
      res.writeHead(this.refuseWith, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'refused on purpose' }));
      return;
    }
    let dice = this.random();
    const fate = (p: number): boolean => {
      const hit = dice < p;
      dice -= p;
      return hit;
    };
    if (fate(f.resetBefore)) {
      this.stats.failed++;
      req.socket.destroy();
      return;
    }
    if (fate(f.error500)) {
      this.stats.failed++;
      res.writeHead(500).end('on purpose');
      return;
    }
    if (fate(f.throttle429)) {
      this.stats.failed++;
      res.writeHead(429, { 'retry-after': String(f.retryAfterSeconds) }).end();
      return;
    }
    const slow = fate(f.slow);
    const resetAfter = fate(f.resetAfter);
    this.store(req, body);
    if (resetAfter) {
      this.stats.failed++;
      req.socket.destroy();
      return;
    }
    if (slow) await new Promise((r) => setTimeout(r, f.slowMs));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }

  private store(req: http.IncomingMessage, body: string): void {
    const key = req.headers['idempotency-key'];
    let items = this.keep || this.dedupe === 'offsets' ? parseItems(req.headers['content-type'], body) : null;
    if (typeof key === 'string') {
      if (this.dedupe === 'key') {
        if (this.seenKeys.has(key)) {
          this.stats.duplicates++;
          return;
        }
        this.seenKeys.add(key);
      } else {
        let fresh: number;
        try {
          fresh = this.offsets.fresh(key, items!.length);
        } catch (err) {
          this.problems.push((err as Error).message);
          fresh = items!.length;
        }
        if (fresh === 0) {
          this.stats.duplicates++;
          return;
        }
        if (fresh < items!.length) {
          this.stats.overlaps++;
          items = items!.slice(items!.length - fresh);
        }
      }
    }
    if (!this.keep) {
      this.itemCount += items ? items.length : countItems(req.headers['content-type'], body);
      return;
    }
    this.itemCount += items!.length;
    this.items.push(...items!);
    this.requests.push({ url: req.url ?? '', headers: req.headers, items: items! });
  }
}

/**
 * Deduplication by the offsets an http-sink Idempotency-Key names. Keys alone catch retries of a
 * batch, but after a crash a sink sends again what it delivered after its last offset commit, and
 * it may batch those records differently (batches end where the log's deliveries did), so their
 * keys are new. Each partition's batches arrive in offset order, so remembering the highest offset
 * stored per partition finds every repeat. Mapping items to offsets needs consecutive offsets in
 * a batch (a topic without compaction, transforms or dropped records): a batch that overlaps and
 * is not consecutive is refused as ambiguous.
 */
export class OffsetDedupe {
  private readonly highest = new Map<string, number>();

  /** How many of the request's last items are new (0: a repeat); records the batch as stored. */
  fresh(key: string, items: number): number {
    const parsed = /^(.*)\/(\d+)\/(\d+)-(\d+)\/[0-9a-f]{8}$/.exec(key);
    if (!parsed) throw new Error(`not an http-sink Idempotency-Key: ${key}`);
    const partition = `${parsed[1]}/${parsed[2]}`;
    const first = Number(parsed[3]);
    const last = Number(parsed[4]);
    const highest = this.highest.get(partition) ?? -1;
    if (last <= highest) return 0;
    this.highest.set(partition, last);
    if (first > highest) return items;
    if (items !== last - first + 1) throw new Error(`${key}: overlaps stored offsets and is not consecutive`);
    return last - highest;
  }
}

function parseItems(contentType: string | undefined, body: string): unknown[] {
  if (contentType?.includes('ndjson')) {
    return body
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as unknown);
  }
  if (!contentType?.includes('json')) return [body];
  const value = JSON.parse(body) as unknown;
  return Array.isArray(value) ? value : [value];
}

function countItems(contentType: string | undefined, body: string): number {
  return parseItems(contentType, body).length;
}
