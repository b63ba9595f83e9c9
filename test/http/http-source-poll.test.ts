import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { SourceRecord } from '@sluice/connect-api';
import { HttpSourceTask } from '../../connectors/http/src/http-source.task.js';
import { MemoryOffsetStorage, recordingLogger } from '../../connectors/http/src/testing/fake-contexts.js';

/** An API of 10 items served 3 per page, by cursor (?cursor=N) or by Link rel="next". */
function itemsApi(): { server: http.Server; log: string[]; throttleOnce: { on: boolean } } {
  const log: string[] = [];
  const throttleOnce = { on: false };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    log.push(`${req.url} ${req.headers['if-none-match'] ?? ''}`.trim());
    if (throttleOnce.on) {
      throttleOnce.on = false;
      res.writeHead(429, { 'retry-after': '0' }).end();
      return;
    }
    const from = Number(url.searchParams.get('cursor') ?? url.searchParams.get('page') ?? '0');
    const items = Array.from({ length: 10 }, (_, i) => ({ id: i })).slice(from, from + 3);
    const next = from + 3 < 10 ? from + 3 : null;
    const etag = `"${from}"`;
    if (req.headers['if-none-match'] === etag && next === null) {
      res.writeHead(304).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', etag };
    if (next !== null) headers['link'] = `</paged?page=${next}>; rel="next"`;
    res
      .writeHead(200, headers)
      .end(JSON.stringify({ data: { items }, next_cursor: next === null ? null : String(next) }));
  });
  return { server, log, throttleOnce };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function api(): Promise<{ base: string; log: string[]; throttleOnce: { on: boolean } }> {
  const { server, log, throttleOnce } = itemsApi();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log, throttleOnce };
}

async function pollTask(
  config: Record<string, string>,
  storage: MemoryOffsetStorage,
): Promise<HttpSourceTask> {
  const task = new HttpSourceTask();
  const controller = new AbortController();
  await task.start(
    { mode: 'poll', topic: 'items', 'poll.interval.ms': '60000', 'retry.backoff.ms': '5', ...config },
    {
      connector: 'api',
      taskId: 0,
      logger: recordingLogger(),
      offsetStorageReader: storage,
      signal: controller.signal,
    },
  );
  cleanups.push(async () => {
    controller.abort();
    await task.stop();
  });
  return task;
}

/** Polls n times; each batch's offsets are committed, as once durable. */
async function pollTimes(
  task: HttpSourceTask,
  storage: MemoryOffsetStorage,
  n: number,
): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for (let i = 0; i < n; i++) {
    const batch = await task.poll();
    storage.commit(batch);
    out.push(...batch);
  }
  return out;
}

describe('http-source poll mode', () => {
  it('follows cursors, keeps the cursor as the offset, and resumes there after a restart', async () => {
    const { base, log, throttleOnce } = await api();
    const storage = new MemoryOffsetStorage();
    const config = {
      'http.url': `${base}/items`,
      'records.pointer': '/data/items',
      'pagination.mode': 'cursor',
      'pagination.cursor.pointer': 'next_cursor',
      'key.field': 'id',
    };
    const first = await pollTask(config, storage);
    throttleOnce.on = true;
    const records = await pollTimes(first, storage, 2);
    expect(records.map((r) => [r.key, r.sourceOffset])).toEqual([
      [0, { cursor: '3' }],
      [1, { cursor: '3' }],
      [2, { cursor: '3' }],
      [3, { cursor: '6' }],
      [4, { cursor: '6' }],
      [5, { cursor: '6' }],
    ]);
    await first.stop();

    const second = await pollTask(config, storage);
    const rest = await pollTimes(second, storage, 2);
    expect(rest.map((r) => r.key)).toEqual([6, 7, 8, 9]);
    expect(log).toEqual(['/items', '/items', '/items?cursor=3', '/items?cursor=6', '/items?cursor=9']);
    // caught up: the next poll waits for poll.interval.ms instead of calling again
    expect(await second.poll()).toEqual([]);
    expect(log).toHaveLength(5);
  });

  it('follows Link rel="next" and sends If-None-Match with the last ETag', async () => {
    const { base, log } = await api();
    const storage = new MemoryOffsetStorage();
    const task = await pollTask(
      {
        'http.url': `${base}/paged`,
        'records.pointer': '/data/items',
        'pagination.mode': 'next_link',
        'poll.interval.ms': '1',
      },
      storage,
    );
    const records = await pollTimes(task, storage, 4);
    // caught up: polls after poll.interval.ms ask again with the ETag
    for (let i = 0; i < 20 && log.length < 5; i++) records.push(...(await task.poll()));
    expect(records.map((r) => (r.value as { id: number }).id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(records[9]!.sourceOffset).toEqual({ next: `${base}/paged?page=9` });
    expect(log.slice(0, 5)).toEqual([
      '/paged',
      '/paged?page=3',
      '/paged?page=6',
      '/paged?page=9',
      '/paged?page=9 "9"',
    ]);
  });

  it('fails the poll on a 4xx it cannot retry', async () => {
    const { base } = await api();
    const task = await pollTask(
      { 'http.url': `${base}/nothing`, 'http.method': 'POST' },
      new MemoryOffsetStorage(),
    );
    // the API answers POST like GET; a 404 comes from a server that does not know the path
    const missing = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => missing.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => missing.close(() => r())));
    const gone = await pollTask(
      { 'http.url': `http://127.0.0.1:${(missing.address() as AddressInfo).port}/x` },
      new MemoryOffsetStorage(),
    );
    await expect(gone.poll()).rejects.toThrow(/answered 404/);
    // no records.pointer: the whole response is one record
    expect((await task.poll()).map((r) => Object.keys(r.value as object))).toEqual([['data', 'next_cursor']]);
  });
});
