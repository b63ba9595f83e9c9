import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A child process that serves HTTP; stopped with SIGTERM. */
export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
}

/**
 * The built worker (apps/worker/dist) as `npm start` runs it (fsync durability, task threads by
 * default), on a fresh directory, with one webhook source: POST {url}/ingest/hooks writes to the
 * topic hooks.
 */
export async function startIngestWorker(): Promise<ServerProcess & { dir: string; ownUrl: string }> {
  const dir = fs.mkdtempSync(path.join(process.env['SLUICE_BENCH_DIR'] ?? os.tmpdir(), 'sluice-http-bench-'));
  const port = await freePort();
  fs.mkdirSync(path.join(dir, 'connectors'));
  fs.writeFileSync(
    path.join(dir, 'worker.yaml'),
    `rest:\n  host: 127.0.0.1\n  port: ${port}\nlog:\n  dir: ${dir}/log\nconnectors:\n  dir: ${dir}/connectors\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'connectors', 'hooks.yaml'),
    'name: hooks\nconfig:\n  connector.class: http-source\n  mode: webhook\n  topic: hooks\n',
  );
  // the same source on a listener of its own (webhook.listener.port): no REST framework in between
  const ownPort = await freePort();
  fs.writeFileSync(
    path.join(dir, 'connectors', 'hooks-own.yaml'),
    `name: hooks-own\nconfig:\n  connector.class: http-source\n  mode: webhook\n  topic: hooks-own\n  webhook.listener.port: ${ownPort}\n`,
  );
  // SLUICE_BENCH_WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the worker
  const nodeArgs = (process.env['SLUICE_BENCH_WORKER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      path.join(repo, 'apps/worker/dist/main.js'),
      'start',
      '--config',
      path.join(dir, 'worker.yaml'),
    ],
    { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' } },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  const deadline = Date.now() + 60_000;
  // up once the connector's task takes requests (404/503 until then)
  const ownUrl = `http://127.0.0.1:${ownPort}`;
  const warmup = (target: string): Promise<number> =>
    fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"warmup":true}',
    }).then(
      (r) => r.status,
      () => 0,
    );
  let ready = { rest: false, own: false };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}`);
    ready = {
      rest: ready.rest || (await warmup(`${url}/ingest/hooks`)) === 200,
      own: ready.own || (await warmup(`${ownUrl}/ingest/hooks-own`)) === 200,
    };
    if (ready.rest && ready.own) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the webhook sources did not answer 200 in time (worker route: ${ready.rest}, own listener: ${ready.own})`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid!, ownUrl, dir, stop };
}

/** bench/dist/http-reference-server.js in its own process. */
export async function startReferenceServer(): Promise<ServerProcess> {
  const child = spawn(process.execPath, [path.join(repo, 'bench/dist/http-reference-server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const port = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the reference server exited with ${code}`)));
  });
  lines.close();
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: stopper(child) };
}

/** Records in a topic of the worker: the sum of its partitions' end offsets. */
export async function topicRecords(url: string, topic: string): Promise<number> {
  const res = await fetch(`${url}/topics/${topic}`);
  if (!res.ok) throw new Error(`GET /topics/${topic} answered ${res.status}`);
  const view = (await res.json()) as { partitions: { end_offset: number }[] };
  return view.partitions.reduce((n, p) => n + p.end_offset, 0);
}
