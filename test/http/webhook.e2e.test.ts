import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { githubSignature } from '../../connectors/http/src/webhook-authenticator.js';
import { freePort } from '../support/free-port.js';
import { WorkerProcess, writeYaml } from '../support/worker-process.js';
import { waitUntil, workerWith } from './e2e-worker.js';
import { readTopic } from './topic-reader.js';

const SECRET = 'e2e-hook-secret';
const PLAIN_JSON =
  'converters:\n  key.converter: org.apache.kafka.connect.json.JsonConverter\n  key.converter.schemas.enable: false\n' +
  '  value.converter: org.apache.kafka.connect.json.JsonConverter\n  value.converter.schemas.enable: false\n';
const SENDERS = 6;
const REQUESTS = 60;
const ITEMS = 5;

let worker: WorkerProcess | null = null;
let listenerWorker: WorkerProcess | null = null;
afterAll(async () => {
  await worker?.stop();
  await listenerWorker?.stop();
});

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': githubSignature(SECRET, body),
      ...headers,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

describe('http-source webhook end to end', () => {
  it('keeps every request that got a 2xx across a SIGKILL, and stores nothing for refused ones', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-webhook-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    writeYaml(
      path.join(root, 'worker.yaml'),
      `mode: standalone\nrest:\n  host: 127.0.0.1\n  port: ${port}\nlog:\n  dir: ${root}/log\nconnectors:\n  dir: ${root}/connectors\n${PLAIN_JSON}`,
    );
    writeYaml(
      path.join(root, 'connectors', 'hooks.yaml'),
      `name: hooks\nconfig:\n  connector.class: http-source\n  mode: webhook\n  topic: hooks\n  webhook.secret: ${SECRET}\n  webhook.max.body.bytes: 2048\n  offset.flush.interval.ms: 500\n`,
    );
    worker = new WorkerProcess(path.join(root, 'worker.yaml'), base);
    await worker.start();
    const url = `${base}/ingest/hooks`;

    // refused requests first: nothing of them may reach the topic
    expect(
      (await post(url, '{"bad":1}', { 'x-hub-signature-256': githubSignature('wrong', '{"bad":1}') })).status,
    ).toBe(401);
    expect((await post(url, JSON.stringify({ pad: 'x'.repeat(3000) }))).status).toBe(413);
    const malformed = await post(url, '{"bad": [1, 2}');
    expect(malformed.status).toBe(400);
    expect(malformed.text).toMatch(/position 13/);

    const acked = new Set<string>();
    // NDJSON sent as text/plain reaches the connector byte for byte (its signature checks out)
    const ndjson = `${JSON.stringify({ s: -1, r: 0, i: 0 })}\n${JSON.stringify({ s: -1, r: 0, i: 1 })}\n`;
    expect((await post(url, ndjson, { 'content-type': 'text/plain' })).status).toBe(200);
    acked.add('-1/0/0').add('-1/0/1');
    let killed = false;
    const sender = async (s: number): Promise<void> => {
      for (let r = 0; r < REQUESTS; r++) {
        const body = JSON.stringify(Array.from({ length: ITEMS }, (_, i) => ({ s, r, i })));
        for (;;) {
          try {
            const res = await post(url, body, { 'idempotency-key': `${s}-${r}` });
            if (res.status === 200) break;
            expect([429, 503, 404]).toContain(res.status);
          } catch {
            // worker down: retry, as a webhook sender does
          }
          await new Promise((res) => setTimeout(res, 100));
        }
        for (let i = 0; i < ITEMS; i++) acked.add(`${s}/${r}/${i}`);
        if (!killed && s === 0 && r === REQUESTS / 2) {
          killed = true;
          await worker!.kill();
          await worker!.start();
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, (_, s) => sender(s)));
    expect(killed).toBe(true);

    const stored = new Set(
      (await readTopic(base, 'hooks')).map((r) => {
        const v = r.value as { s: number; r: number; i: number; bad?: unknown; pad?: unknown };
        expect(v.bad).toBeUndefined();
        expect(v.pad).toBeUndefined();
        return `${v.s}/${v.r}/${v.i}`;
      }),
    );
    const missing = [...acked].filter((k) => !stored.has(k));
    expect(missing).toEqual([]);
    expect(acked.size).toBe(SENDERS * REQUESTS * ITEMS + 2);
  }, 180_000);

  it("takes webhooks on a port of the connector's own (webhook.listener.port), and frees it when stopped", async () => {
    const hookPort = await freePort();
    listenerWorker = await workerWith('sluice-webhook-listener-', {
      hooks: `name: hooks\nconfig:\n  connector.class: http-source\n  mode: webhook\n  topic: hooks\n  webhook.secret: ${SECRET}\n  webhook.listener.port: ${hookPort}\n`,
    });
    await listenerWorker.start();
    const base = listenerWorker.url;
    const url = `http://127.0.0.1:${hookPort}/ingest/hooks`;
    const body = JSON.stringify([{ n: 1 }, { n: 2 }]);
    let first = { status: 0, text: '' };
    await waitUntil(
      'the connector listening on its own port',
      async () => {
        first = await post(url, body).catch(() => first);
        return first.status !== 0 && first.status !== 503;
      },
      30_000,
    );
    expect(first).toEqual({ status: 200, text: '{"accepted":2}' });
    expect((await post(`http://127.0.0.1:${hookPort}/`, '{"n":3}')).status).toBe(200);
    const unsigned = await post(url, '{"bad":1}', { 'x-hub-signature-256': '' });
    expect(unsigned.status).toBe(401);
    const rest = await post(`${base}/ingest/hooks`, '{"bad":2}');
    expect(rest.status).toBe(404);
    expect(rest.text).toContain(`its own port ${hookPort}`);
    expect((await readTopic(base, 'hooks')).map((r) => r.value)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);

    expect((await fetch(`${base}/connectors/hooks/stop`, { method: 'PUT' })).status).toBe(204);
    await waitUntil(
      'the port closed',
      () =>
        post(url, body).then(
          () => false,
          () => true,
        ),
      10_000,
    );
  }, 120_000);
});
