import { afterEach, describe, expect, it } from '@jest/globals';
import type { SourceRecord, SourceTaskContext } from '@sluice/connect-api';
import { HttpSourceTask } from '../../connectors/http/src/http-source.task.js';
import { githubSignature } from '../../connectors/http/src/webhook-authenticator.js';
import {
  MemoryOffsetStorage,
  TestIngress,
  recordingLogger,
  sleep,
} from '../../connectors/http/src/testing/fake-contexts.js';

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
    expect(t.written.map((r) => (r.value as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
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
});
