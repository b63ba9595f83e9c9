import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { IngressHandler, IngressRequest, IngressResponse } from '@sluice/connect-api';
import { recordingLogger } from '@sluice/connect-api/testing';
import { ingressPathOf, WebhookListener } from './webhook-listener.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  reusedSocket: boolean;
}

const opened: WebhookListener[] = [];
afterEach(async () => {
  for (const l of opened.splice(0)) await l.close();
});

/** A listener on a free port whose handler records requests and answers `answer`. */
async function listening(
  answer: (request: IngressRequest) => Promise<IngressResponse> = () =>
    Promise.resolve({ status: 200, body: { accepted: 1 } }),
  maxBodyBytes = 1024,
): Promise<{ listener: WebhookListener; port: number; seen: IngressRequest[] }> {
  const seen: IngressRequest[] = [];
  const handler: IngressHandler = (request) => {
    seen.push(request);
    return answer(request);
  };
  const listener = await WebhookListener.open(
    { host: '127.0.0.1', port: 0, connector: 'hooks', maxBodyBytes, logger: recordingLogger() },
    handler,
  );
  opened.push(listener);
  return { listener, port: listener.address.port, seen };
}

/** One request, with a Content-Length, or chunked when `body` is a list of chunks. */
function send(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | string[];
    agent?: http.Agent;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/',
        headers: {
          ...(typeof options.body === 'string' || options.body === undefined
            ? { 'content-length': String(Buffer.byteLength(options.body ?? '')) }
            : {}),
          ...options.headers,
        },
        agent: options.agent ?? false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text, reusedSocket: req.reusedSocket }),
        );
      },
    );
    req.on('error', reject);
    const body = options.body ?? '';
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else req.write(body);
    req.end();
  });
}

describe('WebhookListener', () => {
  it('hands POSTs to / and /ingest/{connector} (and paths under them) to the handler, answering its JSON', async () => {
    const { port, seen } = await listening((request) =>
      Promise.resolve({
        status: 202,
        headers: { 'x-answer': 'yes' },
        body: { got: request.body.toString() },
      }),
    );
    const root = await send(port, { body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(root).toMatchObject({
      status: 202,
      headers: { 'x-answer': 'yes', 'content-type': 'application/json; charset=utf-8' },
      text: '{"got":"{\\"a\\":1}"}',
    });
    await send(port, { path: '/ingest/hooks', body: 'x' });
    await send(port, { path: '/ingest/hooks/github/push?delivery=1', body: 'y' });
    await send(port, { path: '/github/push', body: 'z' });
    expect(seen.map((r) => [r.method, r.path, r.body.toString()])).toEqual([
      ['POST', '', '{"a":1}'],
      ['POST', '', 'x'],
      ['POST', '/github/push', 'y'],
      ['POST', '/github/push', 'z'],
    ]);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.remoteAddress).toBe('127.0.0.1');
  });

  it('answers an empty body for a response without one', async () => {
    const { port } = await listening(() => Promise.resolve({ status: 204 }));
    const reply = await send(port, { body: '{}' });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
  });

  it("answers 404 for another connector's path and 405 for other methods, in Kafka Connect's error shape", async () => {
    const { port, seen } = await listening();
    const other = await send(port, { path: '/ingest/other', body: '{}' });
    expect(other.status).toBe(404);
    expect(JSON.parse(other.text)).toEqual({
      error_code: 404,
      message: 'nothing at /ingest/other: POST to / or /ingest/hooks',
    });
    expect((await send(port, { path: '/ingest', body: '{}' })).status).toBe(404);
    const get = await send(port, { method: 'GET', path: '/ingest/hooks' });
    expect(get).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    expect(JSON.parse(get.text)).toEqual({ error_code: 405, message: 'use POST, not GET' });
    expect(seen).toEqual([]);
  });

  it('answers 413 for a body over the limit, declared or chunked, and the connection stays usable', async () => {
    const { port, seen } = await listening(undefined, 100);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const declared = await send(port, { body: 'x'.repeat(101), agent });
      expect(declared.status).toBe(413);
      expect(JSON.parse(declared.text)).toEqual({
        error_code: 413,
        message: 'the body has 101 bytes, more than the 100 allowed',
      });
      const chunked = await send(port, { body: Array.from({ length: 50 }, () => 'y'.repeat(60)), agent });
      expect(chunked.status).toBe(413);
      expect(JSON.parse(chunked.text)).toMatchObject({
        message: 'the body has more than the 100 bytes allowed',
      });
      const fits = await send(port, { body: 'z'.repeat(100), agent });
      expect(fits).toMatchObject({ status: 200, reusedSocket: true });
      expect(seen.map((r) => r.body.length)).toEqual([100]);
    } finally {
      agent.destroy();
    }
  });

  it('answers 500 when the handler fails, and 400 in JSON to what is not HTTP', async () => {
    const { port } = await listening(() => Promise.reject(new Error('boom')));
    const failed = await send(port, { body: '{}' });
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text)).toEqual({ error_code: 500, message: 'the request could not be handled' });

    const raw = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw).toMatch(/\{"error_code":400,"message":"Bad Request"\}$/);
  });

  it('closes idle keep-alive connections, lets answers in flight go out, then frees the port', async () => {
    let release: (r: IngressResponse) => void = () => {};
    const { listener, port } = await listening((request) =>
      request.path === '/slow'
        ? new Promise((resolve) => (release = resolve))
        : Promise.resolve({ status: 200, body: {} }),
    );
    const idle = new http.Agent({ keepAlive: true });
    try {
      expect((await send(port, { body: '{}', agent: idle })).status).toBe(200);
      const slow = send(port, { path: '/slow', body: '{}' });
      await new Promise((r) => setTimeout(r, 50));
      const closing = listener.close();
      release({
        status: 503,
        headers: { 'retry-after': '1' },
        body: { error_code: 503, message: 'stopping' },
      });
      expect(await slow).toMatchObject({ status: 503, headers: { connection: 'close', 'retry-after': '1' } });
      const started = Date.now();
      await closing;
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(send(port, { body: '{}' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      idle.destroy();
    }
  });

  it('fails to open on a port in use, naming host and port', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      await expect(
        WebhookListener.open(
          { host: '127.0.0.1', port, connector: 'hooks', maxBodyBytes: 1024, logger: recordingLogger() },
          () => Promise.resolve({ status: 200 }),
        ),
      ).rejects.toThrow(`webhook.listener: cannot listen on 127.0.0.1:${port}: the port is already in use`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('ingressPathOf', () => {
  it('passes the path after /ingest/{connector}, or the whole path, and refuses other connectors', () => {
    expect(ingressPathOf('/', 'hooks')).toBe('');
    expect(ingressPathOf('/?a=1', 'hooks')).toBe('');
    expect(ingressPathOf('/github', 'hooks')).toBe('/github');
    expect(ingressPathOf('/ingest/hooks', 'hooks')).toBe('');
    expect(ingressPathOf('/ingest/hooks/', 'hooks')).toBe('/');
    expect(ingressPathOf('/ingest/hooks/a/b?c', 'hooks')).toBe('/a/b');
    expect(ingressPathOf('/ingest/my%20hooks/a', 'my hooks')).toBe('/a');
    expect(ingressPathOf('/ingest/hooksx', 'hooks')).toBeNull();
    expect(ingressPathOf('/ingest/', 'hooks')).toBeNull();
    expect(ingressPathOf('/ingest', 'hooks')).toBeNull();
    expect(ingressPathOf('/ingest/%E0%A4%A', 'hooks')).toBeNull();
    expect(ingressPathOf('*', 'hooks')).toBeNull();
  });
});
