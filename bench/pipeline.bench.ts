import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, peakRssMb } from './process-stats.js';
import { median, type BenchRow } from './report.js';

const LINES = Number(process.env['SLUICE_BENCH_PIPELINE_LINES'] ?? 1_000_000);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function workDir(): string {
  return fs.mkdtempSync(path.join(process.env['SLUICE_BENCH_DIR'] ?? os.tmpdir(), 'sluice-pipeline-'));
}

/** JSON lines of about 250 bytes. */
function writeInput(file: string): void {
  const fd = fs.openSync(file, 'w');
  const pad = 'x'.repeat(120);
  let chunk: string[] = [];
  for (let i = 0; i < LINES; i++) {
    chunk.push(
      JSON.stringify({
        id: i,
        user: `user-${i % 9973}`,
        event: i % 3 === 0 ? 'click' : 'view',
        at: 1_790_000_000_000 + i,
        amount: (i % 1000) / 10,
        note: pad,
      }),
    );
    if (chunk.length === 10_000) {
      fs.writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length > 0) fs.writeSync(fd, chunk.join('\n') + '\n');
  fs.closeSync(fd);
}

/** The reference: a plain Node stream reading lines, JSON.parse, JSON.stringify, write. */
async function reference(input: string, output: string): Promise<number> {
  const started = performance.now();
  const out = fs.createWriteStream(output);
  const lines = readline.createInterface({ input: fs.createReadStream(input), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!out.write(JSON.stringify(JSON.parse(line)) + '\n'))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return LINES / ((performance.now() - started) / 1000);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error('benchmark condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Worker {
  child: ChildProcess;
  url: string;
  inbox: string;
  stop(): Promise<void>;
}

async function startWorker(dir: string, sinkPaused: boolean): Promise<Worker> {
  const port = await freePort();
  const inbox = path.join(dir, 'data', 'inbox');
  fs.mkdirSync(inbox, { recursive: true });
  fs.mkdirSync(path.join(dir, 'connectors'));
  // SLUICE_BENCH_WORKER_THREADS=0 runs tasks on the worker's main thread (one profile for all)
  const threadCount = process.env['SLUICE_BENCH_WORKER_THREADS'];
  const threads = threadCount === undefined ? '' : `tasks:\n  threads: ${Number(threadCount)}\n`;
  fs.writeFileSync(
    path.join(dir, 'worker.yaml'),
    `rest:\n  port: ${port}\nlog:\n  dir: ${dir}/data/log\nconnectors:\n  dir: ${dir}/connectors\nfiles:\n  roots: [${dir}/data]\n${threads}`,
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
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    () => fetch(`${url}/health`).then((r) => r.ok),
    (ok) => ok,
    60_000,
  );
  const post = (body: unknown): Promise<Response> =>
    fetch(`${url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await post({
    name: 'inbox',
    config: {
      'connector.class': 'file-source',
      topic: 'events',
      path: inbox,
      glob: '*.jsonl',
      format: 'jsonl',
      'poll.interval.ms': '100',
      transforms: 'addIngestTime',
      'transforms.addIngestTime.type': 'InsertField$Value',
      'transforms.addIngestTime.timestamp.field': 'ingested_at',
    },
  });
  await post({
    name: 'outbox',
    ...(sinkPaused ? { initial_state: 'PAUSED' } : {}),
    config: {
      'connector.class': 'file-sink',
      topics: 'events',
      path: path.join(dir, 'data', 'outbox'),
      format: 'jsonl',
      'offset.flush.interval.ms': '500',
    },
  });
  return {
    child,
    url,
    inbox,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function sinkOffset(url: string): Promise<number> {
  const body = (await (await fetch(`${url}/connectors/outbox/offsets`)).json()) as {
    offsets: { offset: { kafka_offset: number } }[];
  };
  return body.offsets.reduce((n, o) => n + o.offset.kafka_offset, 0);
}

async function topicEnd(url: string): Promise<number> {
  const body = (await (await fetch(`${url}/topics/events`)).json()) as {
    partitions: { end_offset: number }[];
  };
  return body.partitions.reduce((n, p) => n + p.end_offset, 0);
}

export async function pipelineBench({
  runs,
  log,
}: {
  runs: number;
  log: (line: string) => void;
}): Promise<BenchRow[]> {
  const inputDir = workDir();
  const input = path.join(inputDir, 'events.jsonl');
  writeInput(input);
  log(`  input: ${LINES} lines, ${(fs.statSync(input).size / 1e6).toFixed(0)} MB`);
  const rates: number[] = [];
  const refs: number[] = [];
  const rss: number[] = [];
  const ratios: number[] = [];
  const cpus: number[] = [];
  const refCpus: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const refCpuBefore = process.cpuUsage();
      const ref = await reference(input, path.join(inputDir, 'reference-out.jsonl'));
      const refCpu = process.cpuUsage(refCpuBefore);
      refCpus.push((refCpu.user + refCpu.system) / LINES);
      const dir = workDir();
      const worker = await startWorker(dir, false);
      try {
        const started = performance.now();
        const cpuBefore = cpuSeconds(worker.child.pid!);
        fs.copyFileSync(input, path.join(worker.inbox, 'events.jsonl.tmp'));
        fs.renameSync(path.join(worker.inbox, 'events.jsonl.tmp'), path.join(worker.inbox, 'events.jsonl'));
        await waitFor(
          () => sinkOffset(worker.url),
          (n) => n >= LINES,
          600_000,
        );
        const rate = LINES / ((performance.now() - started) / 1000);
        const cpuPerRecord = ((cpuSeconds(worker.child.pid!) - cpuBefore) / LINES) * 1e6;
        cpus.push(cpuPerRecord);
        rates.push(rate);
        refs.push(ref);
        ratios.push(rate / ref);
        rss.push(peakRssMb(worker.child.pid!));
        log(
          `  run ${run + 1}: ${Math.round(rate)} records/s end to end, reference ${Math.round(ref)} lines/s, worker peak RSS ${rss[run]!.toFixed(0)} MB, worker CPU ${cpuPerRecord.toFixed(1)} µs/record (reference ${refCpus[run]!.toFixed(1)})`,
        );
      } finally {
        await worker.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    // backlog: the sink paused while every record piles up in the log
    const dir = workDir();
    const worker = await startWorker(dir, true);
    let backlogRss: number;
    try {
      fs.copyFileSync(input, path.join(worker.inbox, 'events.jsonl.tmp'));
      fs.renameSync(path.join(worker.inbox, 'events.jsonl.tmp'), path.join(worker.inbox, 'events.jsonl'));
      await waitFor(
        () => topicEnd(worker.url),
        (n) => n >= LINES,
        600_000,
      );
      await new Promise((r) => setTimeout(r, 2000));
      backlogRss = peakRssMb(worker.child.pid!);
      log(`  paused sink with ${LINES} records piled up: worker peak RSS ${backlogRss.toFixed(0)} MB`);
    } finally {
      await worker.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return [
      {
        name: `pipeline file -> log -> file, ${LINES} JSON lines`,
        value: median(rates),
        unit: 'records/s',
        reference: median(refs),
        ratio: median(ratios),
        target: '>= 100,000 and ratio >= 0.5',
      },
      {
        // the worker's CPU (every thread) per record: steadier than records/s on a shared machine
        name: 'pipeline: worker CPU per record',
        value: median(cpus),
        unit: 'µs',
        reference: median(refCpus),
        ratio: median(refCpus) / median(cpus),
        target: '-',
      },
      {
        name: 'pipeline: worker peak RSS',
        value: median(rss),
        unit: 'MB',
        reference: null,
        ratio: null,
        target: '< 400',
      },
      {
        name: 'pipeline: peak RSS, sink paused, backlog',
        value: backlogRss,
        unit: 'MB',
        reference: null,
        ratio: null,
        target: '< 400',
      },
    ];
  } finally {
    fs.rmSync(inputDir, { recursive: true, force: true });
  }
}
