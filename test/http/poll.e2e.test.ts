import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { WorkerProcess } from '../support/worker-process.js';
import { waitUntil, workerWith } from './e2e-worker.js';
import { readTopic, topicSize } from './topic-reader.js';

/*
 * Items of about 6 KB, 100 to a page: a page (600 KB) is more than one log batch (512 KB), so a
 * SIGKILL can also land between two halves of a page.
 */
const PAGE = 100;
const FIRST = 1500;
const MORE = 130;
const PAD = 'x'.repeat(6000);

/** A cursor-paginated API (?cursor=<index>, the next cursor in the body) that tests can grow. */
class PagedApi {
  total = FIRST;
  readonly cursors: string[] = [];
  /** Pages past this many are answered only once released: the walk cannot end before a kill. */
  holdAfter = Infinity;
  private answered = 0;
  private held: (() => void)[] = [];
  private server: http.Server | null = null;
  private pageListeners: { atLeast: number; resolve: () => void }[] = [];

  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const from = Number(new URL(req.url!, 'http://x').searchParams.get('cursor') ?? '0');
      this.cursors.push(String(from));
      const items: { id: number; pad: string }[] = [];
      for (let id = from; id < Math.min(this.total, from + PAGE); id++) items.push({ id, pad: PAD });
      const next = from + PAGE < this.total ? String(from + PAGE) : null;
      const answer = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items, next }));
        this.answered++;
        for (const l of this.pageListeners.filter((l) => this.answered >= l.atLeast)) l.resolve();
      };
      // a little latency, so the worker is mid-walk when it is killed
      if (this.cursors.length > this.holdAfter) this.held.push(answer);
      else setTimeout(answer, 15);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/items`;
  }

  release(): void {
    this.holdAfter = Infinity;
    for (const answer of this.held.splice(0)) answer();
  }

  /** Resolves once `atLeast` pages were answered (at once if they were). */
  pagesServed(atLeast: number): Promise<void> {
    if (this.answered >= atLeast) return Promise.resolve();
    return new Promise((resolve) => this.pageListeners.push({ atLeast, resolve }));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const api = new PagedApi();
let worker: WorkerProcess | null = null;
afterAll(async () => {
  await worker?.stop();
  await api.close();
});

describe('http-source poll mode end to end', () => {
  it('resumes from the cursor in the log after a SIGKILL mid-walk: every item exactly once, new ones too', async () => {
    const url = await api.listen();
    worker = await workerWith('sluice-poll-', {
      api:
        `name: api\nconfig:\n  connector.class: http-source\n  mode: poll\n  topic: items\n  http.url: ${url}\n` +
        '  records.pointer: /items\n  pagination.mode: cursor\n  pagination.cursor.pointer: /next\n' +
        // a long flush interval: what the worker wrote after its last offset commit is found in the log
        '  poll.interval.ms: 200\n  offset.flush.interval.ms: 60000\n',
    });
    // the walk stops after half the pages until the kill, however slowly this process gets there
    const half = Math.ceil(FIRST / PAGE / 2);
    api.holdAfter = half;
    await worker.start();
    await api.pagesServed(half);
    await worker.kill();
    const beforeRestart = api.cursors.length;
    expect(beforeRestart).toBeLessThan(FIRST / PAGE);
    api.release();

    await worker.start();

    await waitUntil('the first items', async () => (await topicSize(worker!.url, 'items')) >= FIRST, 30_000);
    // caught up: the API grows, the last page is read again and only its new items are taken
    api.total = FIRST + MORE;
    await waitUntil(
      'the new items',
      async () => (await topicSize(worker!.url, 'items')) >= FIRST + MORE,
      15_000,
    );
    // a few more polls of the last page, which must add nothing
    const polled = api.cursors.length;
    await waitUntil('more polls', () => api.cursors.length >= polled + 3, 10_000);

    const ids = (await readTopic(worker.url, 'items')).map((r) => (r.value as { id: number }).id);
    expect(ids).toEqual(Array.from({ length: FIRST + MORE }, (_, i) => i));
    // the restart did not walk from the start again
    expect(api.cursors.slice(beforeRestart)).not.toContain('0');
  }, 90_000);
});
