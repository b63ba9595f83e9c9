import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { PartitionOffsets, SinkRecord, SinkTaskContext } from '@sluice/connect-api';
import { HttpSinkTask } from '@sluice/connector-http';
import { Agent } from 'undici';
import { startIngestWorker, startReferenceServer, topicRecords } from './http-ingest-worker.js';
import { cpuSeconds } from './process-stats.js';
import { median, type BenchRow } from './report.js';

/*
 * The HTTP connectors against bare Node doing the same work.
 *   sink     HttpSinkTask (in this process, the log left out) posting JSON-array batches to a
 *            local receiver, against a bare undici loop that groups the same records by partition
 *            and posts the same batches (same headers, a keep-alive Agent like the sink's, one
 *            request in flight per partition, as the sink keeps partition order)
 *   webhook  autocannon posting JSON arrays to the real worker's POST /ingest/{connector} (built
 *            worker, fsync durability: every 200 means the records are in the log), against a
 *            bare node:http server in its own process that parses the same bodies and answers
 */

const SINK_RECORDS = Number(process.env['SLUICE_BENCH_HTTP_RECORDS'] ?? 400_000);
const PARTITIONS = 4;
const BATCH = 500;
/** The sink's default max.in.flight.requests, and so its Agent's connections. */
const SINK_CONNECTIONS = 8;
const WEBHOOK_SECONDS = Number(process.env['SLUICE_BENCH_HTTP_SECONDS'] ?? 5);
const WEBHOOK_ITEMS = 20;
const WARM_UP_SECONDS = 1;
const WEBHOOK_CONNECTIONS = 32;

type Autocannon = (
  options: Record<string, unknown>,
) => Promise<{ '2xx': number; non2xx: number; errors: number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Counts the items of JSON-array bodies it receives. */
async function receiver(): Promise<{ url: string; items: () => number; close: () => Promise<void> }> {
  let items = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      items += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[]).length;
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`,
    items: () => items,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

function value(i: number): Record<string, unknown> {
  return { id: i, user: `user-${i % 9973}`, event: i % 3 === 0 ? 'click' : 'view', amount: (i % 1000) / 10 };
}

function sinkRecords(): SinkRecord[][] {
  const polls: SinkRecord[][] = [];
  for (let start = 0; start < SINK_RECORDS; start += 2000) {
    const poll: SinkRecord[] = [];
    for (let i = start; i < Math.min(SINK_RECORDS, start + 2000); i++) {
      const partition = i % PARTITIONS;
      const offset = Math.floor(i / PARTITIONS);
      poll.push({
        topic: 'bench',
        kafkaPartition: partition,
        kafkaOffset: offset,
        originalTopic: 'bench',
        originalKafkaPartition: partition,
        originalKafkaOffset: offset,
        key: null,
        keySchema: null,
        value: value(i),
        valueSchema: null,
        timestamp: null,
        headers: [],
      });
    }
    polls.push(poll);
  }
  return polls;
}

async function sinkRun(polls: SinkRecord[][]): Promise<number> {
  const r = await receiver();
  const task = new HttpSinkTask();
  const controller = new AbortController();
  const context: SinkTaskContext = {
    connector: 'bench',
    taskId: 0,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    signal: controller.signal,
    assignment: () => [],
    offset: () => {},
    pause: () => {},
    resume: () => {},
    requestCommit: () => {},
    errantRecordReporter: { report: async (_record, error) => Promise.reject(error) },
  };
  task.start({ 'http.url': r.url, 'batch.max.records': String(BATCH) }, context);
  const started = performance.now();
  for (const poll of polls) await task.put(poll);
  const offsets: PartitionOffsets = new Map();
  for (let p = 0; p < PARTITIONS; p++)
    offsets.set(`bench:${p}`, { partition: { topic: 'bench', partition: p }, offset: 1 });
  await task.preCommit(offsets);
  const rate = SINK_RECORDS / ((performance.now() - started) / 1000);
  if (r.items() !== SINK_RECORDS) throw new Error(`the receiver got ${r.items()} of ${SINK_RECORDS}`);
  await task.stop();
  await r.close();
  return rate;
}

/**
 * The reference: the same records grouped by partition into the same batches, one undici loop per
 * partition posting them (each awaited), with the sink's headers, over the same kind of Agent.
 */
async function sinkReference(polls: SinkRecord[][]): Promise<number> {
  const r = await receiver();
  const agent = new Agent({ connections: SINK_CONNECTIONS, keepAliveTimeout: 30_000 });
  const url = new URL(r.url);
  const started = performance.now();
  const byPartition: SinkRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const poll of polls) for (const rec of poll) byPartition[rec.kafkaPartition]!.push(rec);
  await Promise.all(
    byPartition.map(async (records, partition) => {
      for (let i = 0; i < records.length; i += BATCH) {
        const batch = records.slice(i, i + BATCH);
        const res = await agent.request({
          origin: url.origin,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `bench/${partition}/${batch[0]!.kafkaOffset}-${batch[batch.length - 1]!.kafkaOffset}`,
          },
          body: JSON.stringify(batch.map((rec) => rec.value)),
        });
        await res.body.dump();
      }
    }),
  );
  const rate = SINK_RECORDS / ((performance.now() - started) / 1000);
  if (r.items() !== SINK_RECORDS) throw new Error(`the receiver got ${r.items()} of ${SINK_RECORDS}`);
  await agent.close();
  await r.close();
  return rate;
}

function webhookBody(): string {
  return JSON.stringify(Array.from({ length: WEBHOOK_ITEMS }, (_, i) => value(i)));
}

/**
 * Records/s answered 2xx by the server at `url` (process `pid`) under autocannon, how many, and
 * the server's CPU per record (all its threads): steadier than records/s on a shared machine.
 */
async function load(
  url: string,
  pid: number,
  seconds = WEBHOOK_SECONDS,
): Promise<{ rate: number; records: number; cpuMicros: number }> {
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: webhookBody(),
    connections: WEBHOOK_CONNECTIONS,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} answers were not 2xx, ${result.errors} requests failed`);
  const records = result['2xx'] * WEBHOOK_ITEMS;
  const cpuMicros = ((cpuSeconds(pid) - cpuBefore) / records) * 1e6;
  return { rate: records / seconds, records, cpuMicros };
}

export async function httpBench({
  runs,
  log,
}: {
  runs: number;
  log: (line: string) => void;
}): Promise<BenchRow[]> {
  const polls = sinkRecords();
  const sink: number[] = [];
  const sinkRefs: number[] = [];
  const sinkRatios: number[] = [];
  const hook: number[] = [];
  const hookRefs: number[] = [];
  const hookRatios: number[] = [];
  const own: number[] = [];
  const ownRatios: number[] = [];
  const hookCpu: number[] = [];
  const ownCpu: number[] = [];
  const refCpu: number[] = [];
  const worker = await startIngestWorker();
  const reference = await startReferenceServer();
  // the warm-up requests that found the worker ready
  let acknowledged = 1;
  let acknowledgedOwn = 1;
  try {
    // a second of load on each server before the measured runs, so that the first run does not
    // measure the JIT compiling the request path (the worker's is longer than the bare server's)
    await load(`${reference.url}/ingest/bench`, reference.pid, WARM_UP_SECONDS);
    acknowledged += (await load(`${worker.url}/ingest/hooks`, worker.pid, WARM_UP_SECONDS)).records;
    acknowledgedOwn += (await load(`${worker.ownUrl}/ingest/hooks-own`, worker.pid, WARM_UP_SECONDS)).records;
    for (let run = 0; run < runs; run++) {
      const ref = await sinkReference(polls);
      const rate = await sinkRun(polls);
      sink.push(rate);
      sinkRefs.push(ref);
      sinkRatios.push(rate / ref);
      log(
        `  run ${run + 1}: http-sink ${Math.round(rate)} records/s, bare undici ${Math.round(ref)} records/s (${(rate / ref).toFixed(2)})`,
      );
      const hookRef = await load(`${reference.url}/ingest/bench`, reference.pid);
      const ingest = await load(`${worker.url}/ingest/hooks`, worker.pid);
      acknowledged += ingest.records;
      hook.push(ingest.rate);
      hookRefs.push(hookRef.rate);
      hookRatios.push(ingest.rate / hookRef.rate);
      hookCpu.push(ingest.cpuMicros);
      refCpu.push(hookRef.cpuMicros);
      log(
        `  run ${run + 1}: webhook ${Math.round(ingest.rate)} records/s, bare node:http ${Math.round(hookRef.rate)} records/s (${(ingest.rate / hookRef.rate).toFixed(2)}); CPU ${ingest.cpuMicros.toFixed(1)} µs/record, bare ${hookRef.cpuMicros.toFixed(1)}`,
      );
      const ownIngest = await load(`${worker.ownUrl}/ingest/hooks-own`, worker.pid);
      acknowledgedOwn += ownIngest.records;
      own.push(ownIngest.rate);
      ownRatios.push(ownIngest.rate / hookRef.rate);
      ownCpu.push(ownIngest.cpuMicros);
      log(
        `  run ${run + 1}: webhook on its own listener ${Math.round(ownIngest.rate)} records/s (${(ownIngest.rate / hookRef.rate).toFixed(2)}); CPU ${ownIngest.cpuMicros.toFixed(1)} µs/record`,
      );
    }
    for (const [topic, count] of [
      ['hooks', acknowledged],
      ['hooks-own', acknowledgedOwn],
    ] as const) {
      const stored = await topicRecords(worker.url, topic);
      if (stored < count)
        throw new Error(
          `the worker answered 200 for ${count} records to ${topic} but the topic holds ${stored}`,
        );
    }
  } finally {
    await reference.stop();
    await worker.stop();
    fs.rmSync(worker.dir, { recursive: true, force: true });
  }
  return [
    {
      name: `http-sink, ${SINK_RECORDS} records in batches of ${BATCH}, ${PARTITIONS} partitions (connector only)`,
      value: median(sink),
      unit: 'records/s',
      reference: median(sinkRefs),
      ratio: median(sinkRatios),
      target: 'ratio >= 0.7',
    },
    {
      name: `webhook POST /ingest on the worker (durable before 200), ${WEBHOOK_ITEMS} items per request, ${WEBHOOK_CONNECTIONS} connections`,
      value: median(hook),
      unit: 'records/s',
      reference: median(hookRefs),
      ratio: median(hookRatios),
      target: 'ratio >= 0.5',
    },
    {
      name: `webhook on the connector's own listener (webhook.listener.port), same load`,
      value: median(own),
      unit: 'records/s',
      reference: median(hookRefs),
      ratio: median(ownRatios),
      target: 'ratio >= 0.5',
    },
    {
      name: 'webhook on the worker: worker CPU per record (all threads), against the bare server',
      value: median(hookCpu),
      unit: 'µs/record',
      reference: median(refCpu),
      ratio: median(refCpu) / median(hookCpu),
    },
    {
      name: "webhook on the connector's own listener: worker CPU per record",
      value: median(ownCpu),
      unit: 'µs/record',
      reference: median(refCpu),
      ratio: median(refCpu) / median(ownCpu),
    },
  ];
}
