import type { IngressResponse } from '@sluice/connect-api';

interface Entry {
  bodyHash: string;
  response: Promise<IngressResponse>;
  at: number;
}

export type IdempotencyLookup =
  { kind: 'miss' } | { kind: 'replay'; response: Promise<IngressResponse> } | { kind: 'conflict' };

/**
 * Webhook requests by Idempotency-Key, so a sender's retry of a request that was stored (but whose
 * answer it never saw) is answered like the first without writing again. A request in progress is
 * remembered at once: a replay arriving meanwhile waits for the first one's answer. Only successes
 * stay remembered: a refused request wrote nothing, so its retry may as well do the work.
 *
 * Bounded in time (windowMs after the first request) and count (maxKeys, oldest dropped first);
 * held in memory, so a restarted worker has forgotten them.
 */
export class IdempotencyCache {
  // insertion order is time order: eviction looks at the front only
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  lookup(key: string, bodyHash: string, now = Date.now()): IdempotencyLookup {
    this.evict(now);
    const entry = this.entries.get(key);
    if (!entry) return { kind: 'miss' };
    // a key reused for another body is a sender bug: storing it would lose one of the two
    if (entry.bodyHash !== bodyHash) return { kind: 'conflict' };
    return { kind: 'replay', response: entry.response };
  }

  remember(key: string, bodyHash: string, response: Promise<IngressResponse>, now = Date.now()): void {
    this.entries.delete(key);
    const entry: Entry = { bodyHash, response, at: now };
    this.entries.set(key, entry);
    this.evict(now);
    void response.then(
      (r) => {
        if ((r.status < 200 || r.status >= 300) && this.entries.get(key) === entry) this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
  }

  clear(): void {
    this.entries.clear();
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxKeys && now - entry.at < this.windowMs) break;
      this.entries.delete(key);
    }
  }
}
