import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { PartitionOffsets, SinkRecord } from '@sluice/connect-api';
import { HttpSinkConnector } from '../../connectors/http/src/http-sink.connector.js';
import { HttpSinkTask } from '../../connectors/http/src/http-sink.task.js';
import { FlakyReceiver } from '../../connectors/http/src/testing/flaky-receiver.js';
import { RecordingSinkContext, sinkRecord } from '@sluice/connect-api/testing';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(r = new FlakyReceiver()): Promise<{ r: FlakyReceiver; url: string }> {
  const url = await r.listen();
  cleanups.push(() => r.close());
  return { r, url };
}

async function sinkTask(
  config: Record<string, string>,
  context = new RecordingSinkContext(),
): Promise<{ task: HttpSinkTask; context: RecordingSinkContext }> {
  const task = new HttpSinkTask();
  task.start({ 'retry.backoff.ms': '5', 'retry.backoff.max.ms': '50', ...config }, context);
  cleanups.push(async () => task.stop());
  return { task, context };
}

function offsetsOf(records: SinkRecord[]): PartitionOffsets {
  const out: PartitionOffsets = new Map();
  for (const r of records) {
    out.set(`${r.topic}:${r.kafkaPartition}`, {
      partition: { topic: r.topic, partition: r.kafkaPartition },
      offset: r.kafkaOffset + 1,
    });
  }
  return out;
}

describe('http-sink', () => {
  it('delivers every record in partition order, exactly once at a deduplicating receiver, through 500s, 429s, slow answers and resets', async () => {
    const { r, url } = await receiver(
      new FlakyReceiver({
        error500: 0.12,
        throttle429: 0.08,
        slow: 0.1,
        resetBefore: 0.05,
        resetAfter: 0.08,
        slowMs: 300,
        retryAfterSeconds: 0,
      }),
    );
    const { task } = await sinkTask({
      'http.url': `${url}/receive`,
      'batch.max.records': '40',
      'request.timeout.ms': '150',
      'max.retries': '-1',
      'max.in.flight.requests': '4',
    });
    const PARTITIONS = 4;
    const PER_PARTITION = 500;
    const next = new Array<number>(PARTITIONS).fill(0);
    const all: SinkRecord[] = [];
    while (next.some((n) => n < PER_PARTITION)) {
      const poll: SinkRecord[] = [];
      for (let p = 0; p < PARTITIONS; p++) {
        const take = Math.min(PER_PARTITION - next[p]!, 1 + Math.floor(Math.random() * 90));
        for (let i = 0; i < take; i++, next[p]!++)
          poll.push(sinkRecord('orders', p, next[p]!, { p, seq: next[p] }));
      }
      await task.put(poll);
      all.push(...poll);
      if (Math.random() < 0.2) {
        const committed = await task.preCommit(offsetsOf(all));
        for (const { partition, offset } of committed.values()) {
          const got = (r.items as { p: number; seq: number }[]).filter((i) => i.p === partition.partition);
          // a committed offset never runs ahead of what the receiver has
          expect(got.length).toBeGreaterThanOrEqual(offset);
        }
      }
    }
    const committed = await task.preCommit(offsetsOf(all));
    expect([...committed.values()].map((o) => o.offset)).toEqual(new Array(PARTITIONS).fill(PER_PARTITION));
    for (let p = 0; p < PARTITIONS; p++) {
      const seqs = (r.items as { p: number; seq: number }[]).filter((i) => i.p === p).map((i) => i.seq);
      expect(seqs).toEqual(Array.from({ length: PER_PARTITION }, (_, i) => i));
    }
    expect(r.stats.failed).toBeGreaterThan(0);
    expect(r.stats.duplicates).toBeGreaterThan(0);
    expect(r.items).toHaveLength(PARTITIONS * PER_PARTITION);
  });

  it('keys each batch by topic, partition and offsets, the same on every retry', async () => {
    let calls = 0;
    const { r, url } = await receiver(
      // the first two requests fail, then all succeed
      new FlakyReceiver({ ...noFlakes(), error500: 1 }, { random: () => (calls++ < 2 ? 0 : 1) }),
    );
    const { task } = await sinkTask({ 'http.url': url, 'batch.max.records': '3' });
    const records = [0, 1, 2, 3].map((o) => sinkRecord('t.x', 2, 10 + o, { o }));
    await task.put(records);
    await task.preCommit(offsetsOf(records));
    const keys = r.requests.map((q) => q.headers['idempotency-key']);
    expect(keys).toEqual([
      expect.stringMatching(/^t\.x\/2\/10-12\/[0-9a-f]{8}$/),
      expect.stringMatching(/^t\.x\/2\/13-13\/[0-9a-f]{8}$/),
    ]);
    expect(r.stats.requests).toBe(4);
  });

  it('keys differently a batch at the same offsets with other records (a topic deleted and created again)', async () => {
    const { r, url } = await receiver();
    const first = await sinkTask({ 'http.url': url, 'batch.max.records': '2' });
    const before = [0, 1].map((o) => sinkRecord('t.x', 0, o, { v: 'old', o }));
    await first.task.put(before);
    await first.task.preCommit(offsetsOf(before));
    const again = await sinkTask({ 'http.url': url, 'batch.max.records': '2' });
    const after = [0, 1].map((o) => sinkRecord('t.x', 0, o, { v: 'new', o }));
    await again.task.put(after);
    await again.task.preCommit(offsetsOf(after));
    const [oldKey, newKey] = r.requests.map((q) => q.headers['idempotency-key']);
    expect(oldKey).toMatch(/^t\.x\/0\/0-1\//);
    expect(newKey).toMatch(/^t\.x\/0\/0-1\//);
    expect(newKey).not.toBe(oldKey);
    // a receiver deduplicating by key stores both
    expect(r.items).toHaveLength(4);
  });

  it('commits nothing past a batch that has no 2xx yet, and fails the task when retries run out', async () => {
    const { r, url } = await receiver();
    r.refuseWith = 503;
    const { task } = await sinkTask({ 'http.url': url, 'max.retries': '2' });
    const records = [sinkRecord('t', 0, 0, 'a'), sinkRecord('t', 0, 1, 'b')];
    await task.put(records);
    await expect(task.preCommit(offsetsOf(records))).rejects.toThrow(
      /giving up after 3 attempts: .* answered 503/,
    );
    expect(r.items).toEqual([]);
    await expect(task.put([sinkRecord('t', 0, 2, 'c')])).rejects.toThrow(/giving up/);
  });

  it('returns the offsets before the first undelivered record when stopped mid-retry, without waiting out the retries', async () => {
    const { r, url } = await receiver();
    const { task, context } = await sinkTask({
      'http.url': url,
      'batch.max.records': '2',
      'max.retries': '-1',
      'retry.backoff.ms': '60000',
      'retry.backoff.max.ms': '60000',
    });
    await task.put([sinkRecord('t', 0, 0, 'a'), sinkRecord('t', 0, 1, 'b')]);
    await task.preCommit(offsetsOf([sinkRecord('t', 0, 1, 'b')]));
    r.refuseWith = 500;
    const records = [sinkRecord('t', 0, 2, 'c'), sinkRecord('t', 0, 3, 'd')];
    await task.put(records);
    await new Promise((res) => setTimeout(res, 50));
    // as the runtime stops a task: its signal aborts, the last commit asks preCommit, then stop()
    const stopping = Date.now();
    context.controller.abort();
    const committed = await task.preCommit(offsetsOf(records));
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect([...committed.values()]).toEqual([{ partition: { topic: 't', partition: 0 }, offset: 2 }]);
    await task.stop();
  });

  it('sends the records of a refused batch to the errant record reporter and goes on', async () => {
    const { r, url } = await receiver();
    const { task, context } = await sinkTask({ 'http.url': url, 'batch.max.records': '2' });
    r.refuseWith = 422;
    await task.put([sinkRecord('t', 0, 0, 'bad'), sinkRecord('t', 0, 1, 'worse')]);
    await task.preCommit(offsetsOf([sinkRecord('t', 0, 1, 'x')]));
    r.refuseWith = null;
    const good = [sinkRecord('t', 0, 2, 'good')];
    await task.put(good);
    const committed = await task.preCommit(offsetsOf(good));
    expect(context.reported.map((e) => e.record.kafkaOffset)).toEqual([0, 1]);
    expect(context.reported[0]!.error.message).toMatch(/answered 422: \{"error":"refused on purpose"\}/);
    expect(r.items).toEqual(['good']);
    expect([...committed.values()][0]!.offset).toBe(3);
  });

  it('fails the task on a refused batch when errors.tolerance=none', async () => {
    const { r, url } = await receiver();
    r.refuseWith = 400;
    const { task } = await sinkTask({ 'http.url': url }, new RecordingSinkContext('none'));
    await task.put([sinkRecord('t', 0, 0, 'bad')]);
    await expect(task.preCommit(offsetsOf([sinkRecord('t', 0, 0, 'bad')]))).rejects.toThrow(/answered 400/);
  });

  it('fails the task, dead-lettering nothing, on a redirect or refused credentials even when errors are tolerated', async () => {
    for (const [status, says] of [
      [401, /answered 401.*the credentials were refused/],
      [403, /answered 403.*the credentials were refused/],
      [308, /answered 308.*redirects are not followed/],
    ] as const) {
      const { r, url } = await receiver();
      r.refuseWith = status;
      const { task, context } = await sinkTask({ 'http.url': url });
      await task.put([sinkRecord('t', 0, 0, 'fine')]);
      await expect(task.preCommit(offsetsOf([sinkRecord('t', 0, 0, 'fine')]))).rejects.toThrow(says);
      expect(context.reported).toEqual([]);
    }
  });

  it('fills ${topic} and ${key} in the URL and headers, and splits batches where they change', async () => {
    const { r, url } = await receiver();
    const { task } = await sinkTask({
      'http.url': `${url}/t/\${topic}/k/\${key}`,
      'http.headers.X-Key': 'key=${key}',
      'body.format': 'ndjson',
    });
    const records = [
      sinkRecord('a', 0, 0, { n: 1 }, { key: 'x/y' }),
      sinkRecord('a', 0, 1, { n: 2 }, { key: 'x/y' }),
      sinkRecord('a', 0, 2, { n: 3 }, { key: 'z' }),
    ];
    await task.put(records);
    await task.preCommit(offsetsOf(records));
    expect(r.requests.map((q) => [q.url, q.headers['x-key'], q.items.length])).toEqual([
      ['/t/a/k/x%2Fy', 'key=x/y', 2],
      ['/t/a/k/z', 'key=z', 1],
    ]);
    expect(r.requests[0]!.headers['content-type']).toBe('application/x-ndjson');
  });

  it('sends one request per record in the single format, and batches by bytes', async () => {
    const { r, url } = await receiver();
    const { task } = await sinkTask({ 'http.url': url, 'body.format': 'single' });
    await task.put([sinkRecord('t', 0, 0, { a: 1 }), sinkRecord('t', 0, 1, { a: 2 })]);
    await task.preCommit(offsetsOf([sinkRecord('t', 0, 1, null)]));
    expect(r.requests.map((q) => q.items)).toEqual([[{ a: 1 }], [{ a: 2 }]]);

    const bytes = await receiver();
    const byBytes = await sinkTask({ 'http.url': bytes.url, 'batch.max.bytes': '25' });
    const records = [0, 1, 2, 3, 4].map((o) => sinkRecord('t', 0, o, 'abcdefghi'));
    await byBytes.task.put(records);
    await byBytes.task.preCommit(offsetsOf(records));
    expect(bytes.r.requests.map((q) => q.items.length)).toEqual([2, 2, 1]);
  });

  it('waits linger.ms for a batch to fill', async () => {
    const { r, url } = await receiver();
    const { task } = await sinkTask({ 'http.url': url, 'linger.ms': '200', 'batch.max.records': '3' });
    await task.put([sinkRecord('t', 0, 0, 1)]);
    await task.put([sinkRecord('t', 0, 1, 2)]);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.requests).toHaveLength(0);
    await task.put([sinkRecord('t', 0, 2, 3), sinkRecord('t', 0, 3, 4)]);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.requests.map((q) => q.items)).toEqual([[1, 2, 3]]);
    await new Promise((res) => setTimeout(res, 250));
    expect(r.requests.map((q) => q.items)).toEqual([[1, 2, 3], [4]]);
  });

  it('authenticates with bearer, basic and OAuth2 client credentials (a fresh token after a 401)', async () => {
    const { r, url } = await receiver();
    const bearer = await sinkTask({ 'http.url': url, 'auth.type': 'bearer', 'auth.bearer.token': 's3cret' });
    await bearer.task.put([sinkRecord('t', 0, 0, 1)]);
    await bearer.task.preCommit(offsetsOf([sinkRecord('t', 0, 0, 1)]));
    const basic = await sinkTask({
      'http.url': url,
      'auth.type': 'basic',
      'auth.basic.username': 'u',
      'auth.basic.password': 'p:w',
    });
    // another batch key, or the receiver would take it for a duplicate
    await basic.task.put([sinkRecord('t', 0, 5, 1)]);
    await basic.task.preCommit(offsetsOf([sinkRecord('t', 0, 5, 1)]));
    expect(r.requests.map((q) => q.headers.authorization)).toEqual([
      'Bearer s3cret',
      `Basic ${Buffer.from('u:p:w').toString('base64')}`,
    ]);

    // a token server issuing tok-1, tok-2, ...; the API accepts only the newest
    let issued = 0;
    const tokenRequests: string[] = [];
    const api = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/token') {
          tokenRequests.push(`${req.headers.authorization} ${Buffer.concat(chunks).toString()}`);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ access_token: `tok-${++issued}`, expires_in: 3600, token_type: 'Bearer' }),
          );
          return;
        }
        res.writeHead(req.headers.authorization === `Bearer tok-${issued}` ? 200 : 401).end();
      });
    });
    await new Promise<void>((res) => api.listen(0, '127.0.0.1', res));
    cleanups.push(() => new Promise((res) => api.close(() => res())));
    const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const oauth = await sinkTask({
      'http.url': `${base}/in`,
      'auth.type': 'oauth2',
      'auth.oauth2.token.url': `${base}/token`,
      'auth.oauth2.client.id': 'client',
      'auth.oauth2.client.secret': 'very secret',
      'auth.oauth2.scope': 'write',
      'max.retries': '0',
    });
    await oauth.task.put([sinkRecord('t', 0, 0, 1)]);
    await oauth.task.preCommit(offsetsOf([sinkRecord('t', 0, 0, 1)]));
    issued++; // the server rotates: the cached token is now refused once
    await oauth.task.put([sinkRecord('t', 0, 1, 1)]);
    await oauth.task.preCommit(offsetsOf([sinkRecord('t', 0, 1, 1)]));
    expect(tokenRequests).toEqual([
      `Basic ${Buffer.from('client:very+secret').toString('base64')} grant_type=client_credentials&scope=write`,
      `Basic ${Buffer.from('client:very+secret').toString('base64')} grant_type=client_credentials&scope=write`,
    ]);
  });
});

describe('http-sink bodies and settings', () => {
  async function rawReceiver(
    status = 200,
  ): Promise<{ url: string; requests: { headers: http.IncomingHttpHeaders; body: string }[] }> {
    const requests: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

  it('writes integers past 2^53 as exact JSON numbers', async () => {
    const { url, requests } = await rawReceiver();
    const { task, context } = await sinkTask({ 'http.url': url });
    const records = [
      sinkRecord('t', 0, 0, { id: 9007199254740993n, at: new Date(0), raw: Buffer.from('hi') }),
    ];
    await task.put(records);
    await task.preCommit(offsetsOf(records));
    expect(requests.map((r) => r.body)).toEqual([
      '[{"id":9007199254740993,"at":"1970-01-01T00:00:00.000Z","raw":"aGk="}]',
    ]);
    expect(context.reported).toEqual([]);
  });

  it('sends no idempotency header when idempotency.header is written empty', async () => {
    const { url, requests } = await rawReceiver();
    const { task } = await sinkTask({ 'http.url': url, 'idempotency.header': '' });
    await task.put([sinkRecord('t', 0, 0, 1)]);
    await task.preCommit(offsetsOf([sinkRecord('t', 0, 0, 1)]));
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it('fails at once, without retries, when the OAuth2 token endpoint refuses the client', async () => {
    const tokens = await rawReceiver(401);
    const { url, requests } = await rawReceiver();
    const { task } = await sinkTask({
      'http.url': url,
      'auth.type': 'oauth2',
      'auth.oauth2.token.url': `${tokens.url}/token`,
      'auth.oauth2.client.id': 'client',
      'auth.oauth2.client.secret': 'wrong',
      'max.retries': '5',
      'retry.backoff.ms': '200',
    });
    await task.put([sinkRecord('t', 0, 0, 1)]);
    await expect(task.preCommit(offsetsOf([sinkRecord('t', 0, 0, 1)]))).rejects.toThrow(
      /answered 401 \(invalid_client\) without an access token/,
    );
    expect(tokens.requests).toHaveLength(1);
    expect(requests).toHaveLength(0);
  });

  it('refuses credentials in http.url without repeating them', () => {
    const errors = (url: string): unknown =>
      new HttpSinkConnector().validate({ topics: 't', 'http.url': url }).errors;
    expect(errors('http://bob:PASSWORD-1@127.0.0.1:9000/in')).toEqual([
      { field: 'http.url', messages: [expect.stringMatching(/holds credentials .* set auth.type=basic/)] },
    ]);
    expect(errors('http://bob:PASSWORD-1@127.0.0.1:99999/in')).toEqual([
      { field: 'http.url', messages: ['http.url is not a URL: http://[hidden]@127.0.0.1:99999/in'] },
    ]);
    expect(errors('http://127.0.0.1:9000/${topic}')).toEqual([]);
  });
});

function noFlakes(): FlakyReceiver['flakiness'] {
  return {
    error500: 0,
    throttle429: 0,
    slow: 0,
    resetBefore: 0,
    resetAfter: 0,
    slowMs: 0,
    retryAfterSeconds: 0,
  };
}
