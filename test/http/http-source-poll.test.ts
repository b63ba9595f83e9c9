import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { SourceRecord } from '@sluice/connect-api';
import { HttpSourceTask } from '../../connectors/http/src/http-source.task.js';
import { MemoryOffsetStorage, recordingLogger } from '@sluice/connect-api/testing';

interface ApiState {
  log: string[];
  throttleOnce: { on: boolean };
  /** Items the API holds; tests append more. */
  size: { total: number };
  /** Next links repeat the request's other query parameters (tokens too), as many APIs' do. */
  copyQuery: { on: boolean };
  /** The last page links to itself as next, as some APIs' do. */
  selfLinkAtEnd: { on: boolean };
}

/** An API of 10 items served 3 per page, by cursor (?cursor=N) or by Link rel="next". */
function itemsApi(): ApiState & { server: http.Server } {
  const log: string[] = [];
  const throttleOnce = { on: false };
  const size = { total: 10 };
  const copyQuery = { on: false };
  const selfLinkAtEnd = { on: false };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    log.push(`${req.url} ${req.headers['if-none-match'] ?? ''}`.trim());
    if (throttleOnce.on) {
      throttleOnce.on = false;
      res.writeHead(429, { 'retry-after': '0' }).end();
      return;
    }
    const from = Number(url.searchParams.get('cursor') ?? url.searchParams.get('page') ?? '0');
    const items = Array.from({ length: size.total }, (_, i) => ({ id: i })).slice(from, from + 3);
    const next = from + 3 < size.total ? from + 3 : null;
    const etag = `"${from}-${items.length}"`;
    if (req.headers['if-none-match'] === etag && next === null) {
      res.writeHead(304).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', etag };
    if (next !== null) {
      const query = new URLSearchParams(copyQuery.on ? url.search : '');
      query.set('page', String(next));
      headers['link'] = `</paged?${query}>; rel="next"`;
    } else if (selfLinkAtEnd.on) headers['link'] = `<${req.url}>; rel="next"`;
    res
      .writeHead(200, headers)
      .end(JSON.stringify({ data: { items }, next_cursor: next === null ? null : String(next) }));
  });
  return { server, log, throttleOnce, size, copyQuery, selfLinkAtEnd };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function api(): Promise<ApiState & { base: string }> {
  const { server, ...state } = itemsApi();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ...state };
}

async function pollTask(
  config: Record<string, string>,
  storage: MemoryOffsetStorage,
  logger = recordingLogger(),
): Promise<HttpSourceTask> {
  const task = new HttpSourceTask();
  const controller = new AbortController();
  await task.start(
    { mode: 'poll', topic: 'items', 'poll.interval.ms': '60000', 'retry.backoff.ms': '5', ...config },
    {
      connector: 'api',
      taskId: 0,
      logger,
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
  it('follows cursors, gives each record the position after it, and resumes there after a restart', async () => {
    const { base, log, throttleOnce } = await api();
    const storage = new MemoryOffsetStorage();
    const config = {
      'http.url': `${base}/items`,
      'records.pointer': '/data/items',
      'pagination.mode': 'cursor',
      'pagination.cursor.pointer': 'next_cursor',
      'key.field': 'id',
    };
    const logger = recordingLogger();
    const first = await pollTask(config, storage, logger);
    // a 429 ends the poll; the same request goes out again after its Retry-After
    throttleOnce.on = true;
    const records: SourceRecord[] = [];
    for (let i = 0; i < 20 && records.length < 6; i++) records.push(...(await pollTimes(first, storage, 1)));
    expect(logger.messages('warn')).toContainEqual(
      expect.stringMatching(/answered 429: polling again in \d+ ms/),
    );
    expect(records.map((r) => [r.key, r.sourceOffset])).toEqual([
      [0, { skip: 1 }],
      [1, { skip: 2 }],
      [2, { cursor: '3' }],
      [3, { cursor: '3', skip: 1 }],
      [4, { cursor: '3', skip: 2 }],
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
    expect(records[9]!.sourceOffset).toEqual({ next: `${base}/paged?page=9`, skip: 1 });
    expect(log.slice(0, 5)).toEqual([
      '/paged',
      '/paged?page=3',
      '/paged?page=6',
      '/paged?page=9',
      '/paged?page=9 "9-1"',
    ]);
  });

  it('asks again for a page it could not read without its ETag, and reads JSON after a byte order mark', async () => {
    const seen: string[] = [];
    let answers = 0;
    const server = http.createServer((req, res) => {
      seen.push(String(req.headers['if-none-match'] ?? ''));
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304).end();
        return;
      }
      // first a proxy's maintenance page, then the API's answer, which starts with a BOM
      const body = answers++ === 0 ? '<html>down for maintenance</html>' : '\ufeff[{"id":1},{"id":2}]';
      res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const storage = new MemoryOffsetStorage();
    const task = await pollTask(
      {
        'http.url': `http://127.0.0.1:${(server.address() as AddressInfo).port}/items`,
        'poll.interval.ms': '1',
      },
      storage,
    );
    await expect(task.poll()).rejects.toThrow(/answered with invalid JSON/);
    expect((await pollTimes(task, storage, 1)).map((r) => r.value)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(seen.slice(0, 2)).toEqual(['', '']);
  });

  it('waits out a rate limit however long it lasts, without counting it against max.retries', async () => {
    let throttles = 5;
    const server = http.createServer((_req, res) => {
      if (throttles-- > 0) res.writeHead(429, { 'retry-after': '0' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":1}]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const storage = new MemoryOffsetStorage();
    const task = await pollTask(
      { 'http.url': `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, 'max.retries': '1' },
      storage,
    );
    const records: SourceRecord[] = [];
    for (let i = 0; i < 40 && records.length === 0; i++) records.push(...(await pollTimes(task, storage, 1)));
    expect(records.map((r) => r.value)).toEqual([{ id: 1 }]);
  });

  it('resumes in the middle of a page, and takes only the new items when the last page grows', async () => {
    const { base, size } = await api();
    const storage = new MemoryOffsetStorage();
    const config = {
      'http.url': `${base}/items`,
      'records.pointer': '/data/items',
      'pagination.mode': 'cursor',
      'pagination.cursor.pointer': 'next_cursor',
      'key.field': 'id',
      'poll.interval.ms': '1',
    };
    const first = await pollTask(config, storage);
    const page = await first.poll();
    // only the first two records of the second page became durable before a crash
    storage.commit(page);
    const second = await first.poll();
    storage.commit(second.slice(0, 2));
    expect(second[1]!.sourceOffset).toEqual({ cursor: '3', skip: 2 });
    await first.stop();

    const resumed = await pollTask(config, storage);
    const keys: unknown[] = [];
    const pollUntil = async (count: number): Promise<void> => {
      for (let i = 0; i < 50 && keys.length < count; i++) {
        const batch = await resumed.poll();
        storage.commit(batch);
        keys.push(...batch.map((r) => r.key));
      }
    };
    await pollUntil(5);
    expect(keys).toEqual([5, 6, 7, 8, 9]);
    size.total = 14;
    await pollUntil(9);
    // the page at cursor 9 grew from 1 item to 3 and names cursor 12: 10 and 11 are new, then 12, 13
    expect(keys).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13]);
    for (let i = 0; i < 5; i++) expect(await resumed.poll()).toEqual([]);
  });

  it('keeps the query (tokens) out of the source partition, so a new token resumes where the old one was', async () => {
    const { base, log } = await api();
    const storage = new MemoryOffsetStorage();
    const config = {
      'records.pointer': '/data/items',
      'pagination.mode': 'cursor',
      'pagination.cursor.pointer': 'next_cursor',
    };
    const first = await pollTask({ ...config, 'http.url': `${base}/items?token=OLD-SECRET` }, storage);
    const records = await pollTimes(first, storage, 1);
    expect(records[0]!.sourcePartition).toEqual({ url: `${base}/items` });
    expect(JSON.stringify(records.map((r) => [r.sourcePartition, r.sourceOffset]))).not.toContain('SECRET');
    await first.stop();
    const rotated = await pollTask({ ...config, 'http.url': `${base}/items?token=NEW-SECRET` }, storage);
    expect((await pollTimes(rotated, storage, 1)).map((r) => (r.value as { id: number }).id)).toEqual([
      3, 4, 5,
    ]);
    expect(log).toEqual(['/items?token=OLD-SECRET', '/items?token=NEW-SECRET&cursor=3']);
  });

  it('keeps tokens a next link repeats out of the position, and sends the current ones', async () => {
    const { base, log, copyQuery } = await api();
    copyQuery.on = true;
    const storage = new MemoryOffsetStorage();
    const config = { 'records.pointer': '/data/items', 'pagination.mode': 'next_link' };
    const first = await pollTask(
      { ...config, 'http.url': `${base}/paged?token=OLD-SECRET&limit=3` },
      storage,
    );
    const records = await pollTimes(first, storage, 2);
    expect(records.map((r) => (r.value as { id: number }).id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(JSON.stringify(records.map((r) => r.sourceOffset))).not.toContain('SECRET');
    // the page size is no credential: it stays in the link as the API wrote it
    expect(records[5]!.sourceOffset).toEqual({ next: `${base}/paged?limit=3&page=6`, restore: ['token'] });
    await first.stop();
    // the token was rotated, and the page size changed (which the walk under way keeps): the walk
    // goes on where it was, with the new token
    const rotated = await pollTask(
      { ...config, 'http.url': `${base}/paged?token=NEW-SECRET&limit=5` },
      storage,
    );
    expect((await pollTimes(rotated, storage, 1)).map((r) => (r.value as { id: number }).id)).toEqual([
      6, 7, 8,
    ]);
    expect(log).toEqual([
      '/paged?token=OLD-SECRET&limit=3',
      '/paged?limit=3&page=3&token=OLD-SECRET',
      '/paged?limit=3&page=6&token=NEW-SECRET',
    ]);
  });

  it('takes a position an earlier version kept with the token in it as the page it names', async () => {
    const { base, log, copyQuery, selfLinkAtEnd } = await api();
    copyQuery.on = true;
    // the last page names itself as next: no step forward, so its items are not taken again
    selfLinkAtEnd.on = true;
    const storage = new MemoryOffsetStorage();
    const url = `${base}/paged?token=T`;
    storage.put({ url: `${base}/paged` }, { next: `${base}/paged?token=T&page=9` });
    const task = await pollTask(
      {
        'http.url': url,
        'records.pointer': '/data/items',
        'pagination.mode': 'next_link',
        'poll.interval.ms': '1',
      },
      storage,
    );
    const ids: number[] = [];
    for (let i = 0; i < 10; i++)
      ids.push(...(await pollTimes(task, storage, 1)).map((r) => (r.value as { id: number }).id));
    expect(ids).toEqual([9]);
    expect(log[0]).toBe('/paged?token=T&page=9');
  });

  it('resumes from a position stored under the whole http.url, as earlier versions keyed it', async () => {
    const { base, log } = await api();
    const storage = new MemoryOffsetStorage();
    storage.put({ url: `${base}/items?token=T` }, { cursor: '6' });
    const task = await pollTask(
      {
        'http.url': `${base}/items?token=T`,
        'records.pointer': '/data/items',
        'pagination.mode': 'cursor',
        'pagination.cursor.pointer': 'next_cursor',
      },
      storage,
    );
    expect((await pollTimes(task, storage, 1)).map((r) => (r.value as { id: number }).id)).toEqual([6, 7, 8]);
    expect(log).toEqual(['/items?token=T&cursor=6']);
  });

  it('sends auth and http.headers.* to the origin of http.url only: a next link elsewhere gets neither', async () => {
    const seen: { where: string; authorization?: string; key?: string }[] = [];
    const other = http.createServer((req, res) => {
      seen.push({
        where: 'other',
        authorization: req.headers.authorization,
        key: req.headers['x-api-key'] as string,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[{"id":2}]}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => other.close(() => r())));
    const otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const own = http.createServer((req, res) => {
      seen.push({
        where: 'own',
        authorization: req.headers.authorization,
        key: req.headers['x-api-key'] as string,
      });
      res
        .writeHead(200, {
          'content-type': 'application/json',
          link: `<${otherBase}/steal?page=2>; rel="next"`,
        })
        .end('{"items":[{"id":1}]}');
    });
    await new Promise<void>((r) => own.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => own.close(() => r())));
    const logger = recordingLogger();
    const task = await pollTask(
      {
        'http.url': `http://127.0.0.1:${(own.address() as AddressInfo).port}/items`,
        'records.pointer': '/items',
        'pagination.mode': 'next_link',
        'auth.type': 'bearer',
        'auth.bearer.token': 'BEARER-SECRET',
        'http.headers.X-Api-Key': 'KEY-SECRET',
      },
      new MemoryOffsetStorage(),
      logger,
    );
    await task.poll();
    await task.poll();
    expect(seen).toEqual([
      { where: 'own', authorization: 'Bearer BEARER-SECRET', key: 'KEY-SECRET' },
      { where: 'other', authorization: undefined, key: undefined },
    ]);
    expect(logger.messages('warn').join('\n')).toContain(`the next link leads to ${otherBase}`);
  });

  it('keeps integers past 2^53 exact, and says once when records.pointer finds nothing', async () => {
    const server = http.createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":9007199254740993}]}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/big`;
    const good = await pollTask(
      { 'http.url': url, 'records.pointer': '/data', 'key.field': 'id' },
      new MemoryOffsetStorage(),
    );
    const [record] = await good.poll();
    expect(record!.value).toEqual({ id: 9007199254740993n });
    expect(record!.key).toBe(9007199254740993n);
    const logger = recordingLogger();
    const typo = await pollTask(
      { 'http.url': url, 'records.pointer': '/dat', 'poll.interval.ms': '1' },
      new MemoryOffsetStorage(),
      logger,
    );
    for (let i = 0; i < 3; i++) expect(await typo.poll()).toEqual([]);
    expect(logger.messages('warn').filter((m) => m.includes('records.pointer'))).toEqual([
      `records.pointer "/dat" finds nothing in the answer of ${new URL(url).origin}: no records taken from it`,
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

  it('fails the poll at once on a response past poll.max.response.bytes: asking again brings the same', async () => {
    const { base, log } = await api();
    const task = await pollTask(
      { 'http.url': `${base}/items`, 'poll.max.response.bytes': '10', 'max.retries': '5' },
      new MemoryOffsetStorage(),
    );
    await expect(task.poll()).rejects.toThrow(/is larger than 10 bytes/);
    expect(log).toEqual(['/items']);
  });

  it('retries a 503 whose error page is past poll.max.response.bytes', async () => {
    const log: string[] = [];
    const busy = http.createServer((req, res) => {
      log.push(req.url!);
      if (log.length === 1) res.writeHead(503, { 'retry-after': '0' }).end('x'.repeat(5000));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":1}]');
    });
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => busy.close(() => r())));
    const task = await pollTask(
      {
        'http.url': `http://127.0.0.1:${(busy.address() as AddressInfo).port}/x`,
        'poll.max.response.bytes': '4096',
      },
      new MemoryOffsetStorage(),
    );
    expect((await task.poll()).map((r) => r.value)).toEqual([{ id: 1 }]);
    expect(log).toEqual(['/x', '/x']);
  });
});
