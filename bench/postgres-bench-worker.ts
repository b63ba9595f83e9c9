import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, peakRssMb } from './process-stats.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

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

export async function waitFor<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline)
      throw new Error(`benchmark condition not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A built worker (apps/worker/dist) on its own log directory, driven over REST. */
export class BenchWorker {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** `logDir` may already hold topics (a prefilled log). */
  static async start(dir: string, logDir: string): Promise<BenchWorker> {
    const port = await freePort();
    fs.mkdirSync(path.join(dir, 'connectors'), { recursive: true });
    // SLUICE_BENCH_WORKER_THREADS=0 runs tasks on the worker's main thread (one profile for all)
    const threadCount = process.env['SLUICE_BENCH_WORKER_THREADS'];
    const threads = threadCount === undefined ? '' : `tasks:\n  threads: ${Number(threadCount)}\n`;
    fs.writeFileSync(
      path.join(dir, 'worker.yaml'),
      `rest:\n  port: ${port}\nlog:\n  dir: ${logDir}\nconnectors:\n  dir: ${dir}/connectors\nfiles:\n  roots: [${dir}]\n${threads}`,
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
      {
        cwd: repo,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, SLUICE_LOG_LEVEL: 'warn' },
      },
    );
    const worker = new BenchWorker(child, `http://127.0.0.1:${port}`);
    try {
      await waitFor(
        () => fetch(`${worker.url}/health`).then((r) => r.ok),
        (ok) => ok,
        60_000,
        100,
      );
    } catch (err) {
      await worker.stop();
      throw err;
    }
    return worker;
  }

  async createConnector(name: string, config: Record<string, string>): Promise<void> {
    const res = await fetch(`${this.url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, config }),
    });
    if (!res.ok) throw new Error(`creating ${name}: ${res.status} ${await res.text()}`);
  }

  async deleteConnector(name: string): Promise<void> {
    await fetch(`${this.url}/connectors/${name}`, { method: 'DELETE' });
  }

  /** The connector's first task state and trace, to fail a bench run with the reason. */
  async taskState(name: string): Promise<{ state: string; trace?: string }> {
    const body = (await (await fetch(`${this.url}/connectors/${name}/status`)).json()) as {
      connector: { state: string; trace?: string };
      tasks: { state: string; trace?: string }[];
    };
    return body.tasks[0] ?? body.connector;
  }

  /** Records in the topic (0 while it does not exist). */
  async topicEnd(topic: string): Promise<number> {
    const res = await fetch(`${this.url}/topics/${encodeURIComponent(topic)}`);
    if (res.status === 404) return 0;
    const body = (await res.json()) as { partitions: { end_offset: number }[] };
    return body.partitions.reduce((n, p) => n + p.end_offset, 0);
  }

  /** Offsets a sink connector has committed, summed over its partitions. */
  async sinkOffset(name: string): Promise<number> {
    const body = (await (await fetch(`${this.url}/connectors/${name}/offsets`)).json()) as {
      offsets: { offset: { kafka_offset: number } }[];
    };
    return body.offsets.reduce((n, o) => n + o.offset.kafka_offset, 0);
  }

  /** Waits until `probe` reaches `target`, failing early when the connector's task fails. */
  async waitUntil(
    name: string,
    probe: () => Promise<number>,
    target: number,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; ; i++) {
      if ((await probe().catch(() => 0)) >= target) return;
      if (i % 20 === 19) {
        const task = await this.taskState(name).catch(() => null);
        if (task?.state === 'FAILED') throw new Error(`${name} failed: ${task.trace ?? ''}`);
      }
      if (Date.now() > deadline) throw new Error(`${name} did not reach ${target} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  peakRssMb(): number {
    return peakRssMb(this.child.pid!);
  }

  /** CPU seconds the worker has used, all its threads. */
  cpuSeconds(): number {
    return cpuSeconds(this.child.pid!);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
