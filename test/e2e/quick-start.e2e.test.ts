import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../support/free-port.js';
import { REPO_ROOT } from '../support/ts-child.js';
import { WorkerProcess } from '../support/worker-process.js';

let worker: WorkerProcess | null = null;
afterAll(async () => {
  await worker?.stop();
});

/** The shipped config/, moved into `root` (its ./data and port rewritten), as `npm start` runs it. */
function copyShippedConfig(root: string, port: number): string {
  const relocate = (text: string): string =>
    text
      .replaceAll('./data', path.join(root, 'data'))
      .replaceAll('./config/connectors', path.join(root, 'connectors'))
      .replace(/^(\s*)port: 8083$/m, `$1port: ${port}`);
  const source = path.join(REPO_ROOT, 'config');
  fs.mkdirSync(path.join(root, 'connectors'), { recursive: true });
  for (const file of fs.readdirSync(path.join(source, 'connectors'))) {
    const text = fs.readFileSync(path.join(source, 'connectors', file), 'utf8');
    fs.writeFileSync(path.join(root, 'connectors', file), relocate(text));
  }
  const workerYaml = relocate(fs.readFileSync(path.join(source, 'worker.yaml'), 'utf8'));
  expect(workerYaml).toContain(`port: ${port}`);
  fs.writeFileSync(path.join(root, 'worker.yaml'), workerYaml);
  return path.join(root, 'worker.yaml');
}

async function eventuallyRead(file: string, ok: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (ok(text)) return text;
    if (Date.now() > deadline) throw new Error(`${file} never had what was expected; it has:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the quick start of README.md', () => {
  it('runs the example pipelines of config/: inbox files and webhooks out to the outbox', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-quick-start-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    worker = new WorkerProcess(copyShippedConfig(root, port), url);
    await worker.start();

    // echo '{"id": 1, "msg": "hello"}' >> data/inbox/orders.jsonl
    fs.mkdirSync(path.join(root, 'data', 'inbox'), { recursive: true });
    fs.appendFileSync(path.join(root, 'data', 'inbox', 'orders.jsonl'), '{"id": 1, "msg": "hello"}\n');
    const events = await eventuallyRead(path.join(root, 'data', 'outbox', 'events-0.jsonl'), (t) =>
      t.includes('"msg":"hello"'),
    );
    expect(JSON.parse(events.trim())).toEqual({ id: 1, msg: 'hello', ingested_at: expect.any(Number) });

    // curl -s http://127.0.0.1:8083/ingest/hooks -H 'content-type: application/json' -d '{"order": 1}'
    let answer: Response | null = null;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      answer = await fetch(`${url}/ingest/hooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"order": 1}',
      });
      if (answer.status !== 503 && answer.status !== 404) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(answer?.status).toBe(200);
    const hooks = await eventuallyRead(path.join(root, 'data', 'outbox', 'hooks-0.jsonl'), (t) =>
      t.includes('"order":1'),
    );
    expect(JSON.parse(hooks.trim())).toEqual({ order: 1 });
  }, 120_000);
});
