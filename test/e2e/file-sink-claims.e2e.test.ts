import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../support/free-port.js';
import { WorkerProcess, writeYaml } from '../support/worker-process.js';

let worker: WorkerProcess | null = null;
let root: string | null = null;
afterAll(async () => {
  await worker?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function eventually<T>(probe: () => T, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function lines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** The connector whose task holds events-0's files in `dir`, or null. */
function claimOf(dir: string): string | null {
  const claim = path.join(dir, '.events-0.jsonl.sluice-claim');
  if (!fs.existsSync(claim)) return null;
  return (JSON.parse(fs.readFileSync(claim, 'utf8')) as { connector: string }).connector;
}

describe('file-sink claims end to end', () => {
  it('leaves no claim on the folder a path change left: another connector writes there, after its offset', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-e2e-claims-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const inbox = path.join(root, 'data', 'inbox');
    const before = path.join(root, 'data', 'before');
    const after = path.join(root, 'data', 'after');
    fs.mkdirSync(inbox, { recursive: true });
    fs.mkdirSync(path.join(root, 'connectors'));
    writeYaml(
      path.join(root, 'worker.yaml'),
      `mode: standalone\nrest:\n  host: 127.0.0.1\n  port: ${port}\nlog:\n  dir: ${root}/data/log\nconnectors:\n  dir: ${root}/connectors\nfiles:\n  roots: [${root}/data]\n`,
    );
    worker = new WorkerProcess(path.join(root, 'worker.yaml'), url);
    await worker.start();
    const send = (method: string, route: string, body?: unknown): Promise<Response> =>
      fetch(`${url}${route}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const sink = (dir: string) => ({
      'connector.class': 'file-sink',
      topics: 'events',
      path: dir,
      'offset.flush.interval.ms': '200',
    });

    const source = {
      'connector.class': 'file-source',
      topic: 'events',
      path: inbox,
      glob: '*.jsonl',
      format: 'jsonl',
      'poll.interval.ms': '100',
    };
    expect((await send('POST', '/connectors', { name: 'inbox', config: source })).status).toBe(201);
    expect((await send('POST', '/connectors', { name: 'first', config: sink(before) })).status).toBe(201);
    fs.appendFileSync(path.join(inbox, 'a.jsonl'), '{"n":1}\n');
    const beforeFile = path.join(before, 'events-0.jsonl');
    expect(
      await eventually(
        () => lines(beforeFile),
        (l) => l.length >= 1,
      ),
    ).toEqual(['{"n":1}']);

    // the path changes: the task stops and starts again, writing to the new folder
    expect((await send('PUT', '/connectors/first/config', sink(after))).status).toBe(200);
    fs.appendFileSync(path.join(inbox, 'a.jsonl'), '{"n":2}\n');
    const afterFile = path.join(after, 'events-0.jsonl');
    expect(
      await eventually(
        () => lines(afterFile),
        (l) => l.length >= 1,
      ),
    ).toEqual(['{"n":2}']);
    expect([claimOf(before), claimOf(after)]).toEqual([null, 'first']);

    const second = await send('POST', '/connectors', { name: 'second', config: sink(before) });
    expect({ status: second.status, body: second.status === 201 ? null : await second.text() }).toEqual({
      status: 201,
      body: null,
    });
    expect(
      await eventually(
        () => lines(beforeFile),
        (l) => l.length >= 2,
      ),
    ).toEqual(['{"n":1}', '{"n":2}']);
    expect([claimOf(before), claimOf(after)]).toEqual(['second', 'first']);
    // while second writes there, first may not move back
    const back = await send('PUT', '/connectors/first/config', sink(before));
    expect({ status: back.status, body: await back.text() }).toEqual({
      status: 400,
      body: expect.stringContaining('belongs to file-sink connector \\"second\\", not \\"first\\"'),
    });

    expect((await send('DELETE', '/connectors/first')).status).toBe(204);
    expect((await send('DELETE', '/connectors/second')).status).toBe(204);
    expect([claimOf(before), claimOf(after)]).toEqual([null, null]);
  }, 180_000);
});
