import { afterEach, describe, expect, it } from '@jest/globals';
import type { SourceRecord, SourceTaskContext } from '@sluice/connect-api';
import { HttpSourceConnector } from '../../connectors/http/src/http-source.connector.js';
import { HttpSourceTask } from '../../connectors/http/src/http-source.task.js';
import { githubSignature } from '../../connectors/http/src/webhook-authenticator.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryOffsetStorage, TestIngress, recordingLogger } from '@sluice/connect-api/testing';
import { freePort } from '../support/free-port.js';

interface Running {
  task: HttpSourceTask;
  ingress: TestIngress;
  written: SourceRecord[];
  /** While false, polled records stay "not yet durable". */
  durable: { on: boolean };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

/** Starts the task and polls it like the runtime: records become durable, then commitRecord. */
async function running(config: Record<string, string>): Promise<Running> {
  const controller = new AbortController();
  const ingress = new TestIngress();
  const context: SourceTaskContext = {
    connector: 'hooks',
    taskId: 0,
    logger: recordingLogger(),
    offsetStorageReader: new MemoryOffsetStorage(),
    signal: controller.signal,
    ingress,
  };
  const task = new HttpSourceTask();
  await task.start({ topic: 'hooks', ...config }, context);
  const written: SourceRecord[] = [];
  const durable = { on: true };
  const loop = (async () => {
    while (!controller.signal.aborted) {
      const batch = await task.poll();
      while (!durable.on && !controller.signal.aborted) await sleep(5);
      for (const r of batch) {
        written.push(r);
        task.commitRecord(r, { topic: r.topic, partition: 0, offset: written.length - 1 });
      }
    }
  })();
  stops.push(async () => {
    controller.abort();
    await loop;
    await task.stop();
  });
  return { task, ingress, written, durable };
}

describe('http-source webhook mode', () => {
  it('answers 200 only once every record of the request is durable: objects, arrays and NDJSON', async () => {
    const t = await running({ 'key.field': '/user/id', 'webhook.headers': 'X-Delivery, X-Missing' });
    t.durable.on = false;
    let answered = false;
    const first = t.ingress
      .send({
        body: '[{"user":{"id":7},"n":1},{"user":{"id":8},"n":2}]',
        headers: { 'content-type': 'application/json', 'x-delivery': 'abc' },
      })
      .then((r) => ((answered = true), r));
    await sleep(100);
    expect(answered).toBe(false);
    t.durable.on = true;
    expect(await first).toEqual({ status: 200, body: { accepted: 2 } });
    expect(t.written.map((r) => [r.key, r.value, r.headers])).toEqual([
      [7, { user: { id: 7 }, n: 1 }, [{ key: 'x-delivery', value: 'abc' }]],
      [8, { user: { id: 8 }, n: 2 }, [{ key: 'x-delivery', value: 'abc' }]],
    ]);
    expect((await t.ingress.send({ body: '{"n":3}' })).status).toBe(200);
    const ndjson = await t.ingress.send({
      body: '{"n":4}\n{"n":5}\n',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(ndjson).toEqual({ status: 200, body: { accepted: 2 } });
    // an empty array stores nothing, and says so at once
    expect(await t.ingress.send({ body: '[]' })).toEqual({ status: 200, body: { accepted: 0 } });
    expect(t.written.map((r) => (r.value as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    // each item's text as sent goes with it, to be stored as it is
    expect(t.written.map((r) => r.valueJson)).toEqual([
      '{"user":{"id":7},"n":1}',
      '{"user":{"id":8},"n":2}',
      '{"n":3}',
      '{"n":4}',
      '{"n":5}',
    ]);
    // but not a pretty-printed one: the log keeps one line of JSON per record
    await t.ingress.send({ body: '[{"n": 6}, {"n":7}]' });
    expect(t.written.slice(5).map((r) => [r.value, r.valueJson])).toEqual([
      [{ n: 6 }, undefined],
      [{ n: 7 }, '{"n":7}'],
    ]);
  });

  it('refuses bad signatures, oversize and malformed bodies, writing nothing', async () => {
    const t = await running({ 'webhook.secret': 'hush', 'webhook.max.body.bytes': '64' });
    const body = '{"ok":true}';
    const unsigned = await t.ingress.send({ body });
    expect(unsigned.status).toBe(401);
    const wrong = await t.ingress.send({
      body,
      headers: { 'x-hub-signature-256': githubSignature('not hush', body) },
    });
    expect(wrong).toMatchObject({ status: 401, body: { message: 'signature does not match the body' } });
    const big = '[' + '1,'.repeat(40) + '1]';
    const oversize = await t.ingress.send({
      body: big,
      headers: { 'x-hub-signature-256': githubSignature('hush', big) },
    });
    expect(oversize.status).toBe(413);
    const broken = '{"a": 1,\n "b": }';
    const malformed = await t.ingress.send({
      body: broken,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': githubSignature('hush', broken) },
    });
    expect(malformed.status).toBe(400);
    expect((malformed.body as { message: string }).message).toMatch(/line 2, column 7/);
    for (const nulls of ['null', '[{"a":1},null]']) {
      const refused = await t.ingress.send({
        body: nulls,
        headers: { 'x-hub-signature-256': githubSignature('hush', nulls) },
      });
      expect(refused).toMatchObject({ status: 400, body: { message: expect.stringMatching(/is null/) } });
    }
    expect((await t.ingress.send({ body, method: 'PUT' })).status).toBe(405);
    expect(t.written).toEqual([]);
    const good = await t.ingress.send({
      body,
      headers: { 'x-hub-signature-256': githubSignature('hush', body) },
    });
    expect(good.status).toBe(200);
    expect(t.written.map((r) => r.value)).toEqual([{ ok: true }]);
  });

  it('checks a shared secret header in constant time', async () => {
    const t = await running({ 'webhook.secret': 'hush', 'webhook.secret.header': 'X-Token' });
    expect((await t.ingress.send({ body: '{}', headers: { 'x-token': 'hus' } })).status).toBe(401);
    expect((await t.ingress.send({ body: '{}', headers: { 'x-token': 'hush' } })).status).toBe(200);
  });

  it('answers 429 with Retry-After while too many records wait, and 503 for queued ones when stopping', async () => {
    const t = await running({ 'webhook.max.pending.records': '3', 'webhook.retry.after.seconds': '2' });
    t.durable.on = false;
    const first = t.ingress.send({ body: '[1,2]' });
    await sleep(20);
    const refused = await t.ingress.send({ body: '[3,4]' });
    expect(refused).toMatchObject({ status: 429, headers: { 'retry-after': '2' } });
    t.durable.on = true;
    expect((await first).status).toBe(200);
    expect(t.written.map((r) => r.value)).toEqual([1, 2]);
    // the worker's answer while the task is paused says the same
    t.ingress.paused = true;
    expect(await t.ingress.send({ body: '[5]' })).toMatchObject({
      status: 503,
      headers: { 'retry-after': '2' },
    });
    t.ingress.paused = false;

    const stopping = await running({});
    stopping.durable.on = false;
    await sleep(20); // the loop is waiting in poll: the next request's records stay queued
    const answer = stopping.ingress.send({ body: '[1]' });
    await stopping.task.stop();
    expect(await answer).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  });

  it('answers a repeated Idempotency-Key with the first answer, writing once', async () => {
    const t = await running({});
    const send = (body: string): ReturnType<TestIngress['send']> =>
      t.ingress.send({ body, headers: { 'idempotency-key': 'k1' } });
    const [a, b] = await Promise.all([send('{"x":1}'), send('{"x":1}')]);
    expect(a).toEqual(b);
    expect((await send('{"x":1}')).status).toBe(200);
    expect((await send('{"x":2}')).status).toBe(422);
    expect(t.written.map((r) => r.value)).toEqual([{ x: 1 }]);
  });

  it('takes no Idempotency-Key into account when webhook.idempotency.header is written empty', async () => {
    const t = await running({ 'webhook.idempotency.header': '' });
    for (let i = 0; i < 2; i++)
      expect(await t.ingress.send({ body: '{"x":1}', headers: { 'idempotency-key': 'k1' } })).toMatchObject({
        status: 200,
      });
    expect(t.written.map((r) => r.value)).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('keeps integers past 2^53 exact, in keys and values, in documents and NDJSON', async () => {
    const t = await running({ 'key.field': 'id' });
    await t.ingress.send({ body: '{"id":9007199254740993,"n":[12345678901234567890]}' });
    await t.ingress.send({
      body: '{"id":1}\n{"id":-9007199254740993}\n',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(t.written.map((r) => [r.key, r.value])).toEqual([
      [9007199254740993n, { id: 9007199254740993n, n: [12345678901234567890n] }],
      [1, { id: 1 }],
      [-9007199254740993n, { id: -9007199254740993n }],
    ]);
  });

  it('refuses a webhook.secret written empty, and a secret header without a secret', () => {
    const errors = (config: Record<string, string>): unknown =>
      new HttpSourceConnector().validate({ topic: 'hooks', ...config }).errors;
    expect(errors({ 'webhook.secret': '' })).toEqual([
      { field: 'webhook.secret', messages: [expect.stringMatching(/^webhook.secret is empty/)] },
    ]);
    expect(errors({ 'webhook.secret.header': 'X-Token' })).toEqual([
      { field: 'webhook.secret.header', messages: [expect.stringMatching(/needs webhook.secret/)] },
    ]);
    expect(errors({ 'webhook.secret': 's3cret', 'webhook.secret.header': 'X-Token' })).toEqual([]);
    expect(errors({})).toEqual([]);
  });
});

describe('http-source webhook mode on a listener of its own (webhook.listener.port)', () => {
  async function post(
    port: number,
    body: string,
    headers: Record<string, string> = {},
    path = '/ingest/hooks',
  ): Promise<{ status: number; headers: Headers; json: { error_code?: number; message?: string } }> {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as { message?: string } };
  }

  it('takes requests there, with the same checks and answers, and the REST route points to the port', async () => {
    const port = await freePort();
    const t = await running({
      'webhook.listener.port': String(port),
      'webhook.secret': 'hush',
      'webhook.max.body.bytes': '64',
      'webhook.headers': 'X-Delivery',
    });
    const sign = (body: string): Record<string, string> => ({
      'x-hub-signature-256': githubSignature('hush', body),
    });
    const body = '[{"n":1},{"n":2}]';
    const ok = await post(port, body, { ...sign(body), 'x-delivery': 'd1' });
    expect(ok).toMatchObject({ status: 200, json: { accepted: 2 } });
    expect((await post(port, '{"n":3}', sign('{"n":3}'), '/')).status).toBe(200);
    expect(t.written.map((r) => [r.value, r.headers])).toEqual([
      [{ n: 1 }, [{ key: 'x-delivery', value: 'd1' }]],
      [{ n: 2 }, [{ key: 'x-delivery', value: 'd1' }]],
      [{ n: 3 }, []],
    ]);

    expect((await post(port, body)).json).toEqual({ error_code: 401, message: expect.any(String) });
    expect((await post(port, body, { 'x-hub-signature-256': githubSignature('nope', body) })).status).toBe(
      401,
    );
    const big = JSON.stringify({ pad: 'x'.repeat(100) });
    expect((await post(port, big, sign(big))).status).toBe(413);
    const broken = '{"a": 1,\n "b": }';
    const malformed = await post(port, broken, sign(broken));
    expect(malformed.status).toBe(400);
    expect(malformed.json.message).toMatch(/line 2, column 7/);
    expect((await post(port, body, sign(body), '/ingest/others')).status).toBe(404);
    expect(t.written).toHaveLength(3);

    const rest = await t.ingress.send({ body, headers: sign(body) });
    expect(rest).toEqual({
      status: 404,
      body: {
        error_code: 404,
        message: `connector hooks takes webhooks on its own port ${port} (webhook.listener.port), not on this one`,
      },
    });
    expect(t.written).toHaveLength(3);
  });

  it('answers 503 for what is not stored when it stops, then frees the port', async () => {
    const port = await freePort();
    const t = await running({ 'webhook.listener.port': String(port) });
    t.durable.on = false;
    await sleep(20);
    const answer = post(port, '[1]');
    await sleep(100);
    await t.task.stop();
    const refused = await answer;
    expect(refused).toMatchObject({ status: 503, json: { error_code: 503 } });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(t.ingress.registered).toBe(false);
    await expect(post(port, '{}')).rejects.toThrow();
    // the port is free again: another task takes it
    const again = await running({ 'webhook.listener.port': String(port) });
    expect((await post(port, '{"n":1}')).status).toBe(200);
    expect(again.written.map((r) => r.value)).toEqual([{ n: 1 }]);
  });

  it('fails to start on a port in use, naming host and port', async () => {
    const port = await freePort();
    await running({ 'webhook.listener.port': String(port) });
    await expect(running({ 'webhook.listener.port': String(port) })).rejects.toThrow(
      `webhook.listener: cannot listen on 127.0.0.1:${port}: the port is already in use`,
    );
  });

  it('is a webhook-mode setting: the connector refuses it in poll mode, and a host without a port', () => {
    const errors = (config: Record<string, string>): unknown =>
      new HttpSourceConnector().validate({ topic: 'hooks', ...config }).errors;
    expect(errors({ 'webhook.listener.port': '8090' })).toEqual([]);
    expect(errors({ 'webhook.listener.port': '8090', 'webhook.listener.host': '0.0.0.0' })).toEqual([]);
    expect(
      errors({
        mode: 'poll',
        'http.url': 'http://127.0.0.1:1/',
        'webhook.listener.port': '8090',
        'webhook.listener.host': '0.0.0.0',
      }),
    ).toEqual([
      {
        field: 'webhook.listener.port',
        messages: ['webhook.listener.port is for mode=webhook only, not poll'],
      },
      {
        field: 'webhook.listener.host',
        messages: ['webhook.listener.host is for mode=webhook only, not poll'],
      },
    ]);
    expect(errors({ 'webhook.listener.host': '0.0.0.0' })).toEqual([
      { field: 'webhook.listener.host', messages: [expect.stringMatching(/needs webhook.listener.port/)] },
    ]);
    for (const port of ['0', '65536', 'http'])
      expect(errors({ 'webhook.listener.port': port })).toEqual([
        { field: 'webhook.listener.port', messages: [expect.any(String)] },
      ]);
  });
});
