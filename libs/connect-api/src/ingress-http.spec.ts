import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { IngressResponse } from './http-ingress.js';
import { BodyBudget, ingressRefusal, serveIngressRequest } from './ingress-http.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => (s.closeAllConnections(), s.close(r)));
});

/** A server whose handler answers when the test says so, sharing `budget` across its requests. */
async function serving(budget: BodyBudget): Promise<{ port: number; answerAll: () => void }> {
  const waiting: (() => void)[] = [];
  const server = http.createServer((req, res) =>
    serveIngressRequest(req, res, {
      path: '',
      maxBodyBytes: 1000,
      budget,
      handle: () =>
        new Promise<IngressResponse>((resolve) =>
          waiting.push(() => resolve({ status: 200, body: { accepted: 1 } })),
        ),
      failed: () => ingressRefusal(500, 'failed'),
    }),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    answerAll: () => waiting.splice(0).forEach((answer) => answer()),
  };
}

function post(port: number, body: string[]): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const chunked = body.length > 1;
    const req = http.request(
      {
        port,
        method: 'POST',
        headers: chunked ? {} : { 'content-length': Buffer.byteLength(body[0]!) },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined }),
        );
      },
    );
    req.on('error', reject);
    for (const chunk of body) req.write(chunk);
    req.end();
  });
}

const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('serveIngressRequest with a BodyBudget', () => {
  it('answers 503 with Retry-After to a body that does not fit beside those held, declared or chunked', async () => {
    const budget = new BodyBudget(100);
    const { port, answerAll } = await serving(budget);
    const first = post(port, ['x'.repeat(80)]);
    await until(() => budget.used === 80);
    expect(await post(port, ['y'.repeat(80)])).toEqual({ status: 503, retryAfter: '1' });
    expect(await post(port, ['z'.repeat(15), 'z'.repeat(15)])).toEqual({ status: 503, retryAfter: '1' });
    expect(budget.used).toBe(80);
    answerAll();
    expect((await first).status).toBe(200);
    await until(() => budget.used === 0);
    expect(budget.used).toBe(0);
    // room again
    const next = post(port, ['y'.repeat(80)]);
    await until(() => budget.used === 80);
    answerAll();
    expect((await next).status).toBe(200);
  });

  it('always takes a first body, however large, so that it can be read at all', () => {
    const budget = new BodyBudget(10);
    expect(budget.take(50)).toBe(true);
    expect(budget.take(1)).toBe(false);
    budget.give(50);
    expect(budget.used).toBe(0);
  });
});
