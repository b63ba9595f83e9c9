import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { PartitionOffsets, SinkRecord, SinkTaskContext, SourceRecord } from '@sluice/connect-api';
import { HttpSinkTask, HttpSourceTask } from '@sluice/connector-http';
import { Agent } from 'undici';
import { median, type BenchRow } from './report.js';

/*
 * The HTTP connectors against bare Node doing the same work, in one process (the connectors'
 * own cost: the log and the worker's REST layer are not in these rows).
 *   sink     HttpSinkTask posting JSON-array batches to a local receiver, against undici loops
 *            posting the same batches (one loop per partition, as the sink keeps one request
 *            in flight per partition)
 *   webhook  autocannon posting JSON arrays to a node:http server handing bodies to the
 *            HttpSourceTask (answered once polled and committed), against a node:http server
 *            that parses the same bodies and answers at once
 */

const SINK_RECORDS = Number(process.env['SLUICE_BENCH_HTTP_RECORDS'] ?? 400_000);
const PARTITIONS = 4;
const BATCH = 500;
const WEBHOOK_SECONDS = Number(process.env['SLUICE_BENCH_HTTP_SECONDS'] ?? 5);
const WEBHOOK_ITEMS = 20;

type Autocannon = (
  options: Record<string, unknown>,
) => Promise<{ requests: { total: number }; non2xx: number }>;
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

/** The reference: one undici loop per partition posting the same batches, each awaited. */
async function sinkReference(polls: SinkRecord[][]): Promise<number> {
  const r = await receiver();
  const agent = new Agent({ connections: PARTITIONS });
  const byPartition: unknown[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const poll of polls) for (const rec of poll) byPartition[rec.kafkaPartition]!.push(rec.value);
  const url = new URL(r.url);
  const started = performance.now();
  await Promise.all(
    byPartition.map(async (values) => {
      for (let i = 0; i < values.length; i += BATCH) {
        const res = await agent.request({
          origin: url.origin,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(values.slice(i, i + BATCH)),
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

async function load(url: string): Promise<number> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: webhookBody(),
    connections: 32,
    duration: WEBHOOK_SECONDS,
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} answers were not 2xx`);
  return (result.requests.total * WEBHOOK_ITEMS) / WEBHOOK_SECONDS;
}

async function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest/bench`, server };
}

function close(server: http.Server): Promise<void> {
  return new Promise((r) => (server.closeAllConnections(), server.close(() => r())));
}

async function webhookRun(): Promise<number> {
  const controller = new AbortController();
  const task = new HttpSourceTask();
  let handler:
    Parameters<NonNullable<Parameters<HttpSourceTask['start']>[1]['ingress']>['register']>[0] | null = null;
  await task.start(
    { topic: 'bench', 'webhook.max.pending.records': '1000000' },
    {
      connector: 'bench',
      taskId: 0,
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      signal: controller.signal,
      offsetStorageReader: { offset: async () => null, offsets: async () => new Map() },
      ingress: { register: (h) => ((handler = h), () => (handler = null)) },
    },
  );
  // the runtime's part, minus the log: poll, then commit each record
  const loop = (async () => {
    while (!controller.signal.aborted) {
      const batch: SourceRecord[] = await task.poll();
      for (let i = 0; i < batch.length; i++)
        task.commitRecord(batch[i]!, { topic: 'bench', partition: 0, offset: i });
    }
  })();
  const { url, server } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handler!({
        method: req.method ?? 'POST',
        path: '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        remoteAddress: '127.0.0.1',
      }).then((answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      });
    });
  });
  const rate = await load(url);
  await close(server);
  controller.abort();
  await loop;
  await task.stop();
  return rate;
}

async function webhookReference(): Promise<number> {
  const { url, server } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const items = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[];
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: items.length }));
    });
  });
  const rate = await load(url);
  await close(server);
  return rate;
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
  for (let run = 0; run < runs; run++) {
    const ref = await sinkReference(polls);
    const rate = await sinkRun(polls);
    sink.push(rate);
    sinkRefs.push(ref);
    sinkRatios.push(rate / ref);
    log(
      `  run ${run + 1}: http-sink ${Math.round(rate)} records/s, bare undici ${Math.round(ref)} records/s`,
    );
    const hookRef = await webhookReference();
    const hookRate = await webhookRun();
    hook.push(hookRate);
    hookRefs.push(hookRef);
    hookRatios.push(hookRate / hookRef);
    log(
      `  run ${run + 1}: webhook ${Math.round(hookRate)} records/s, bare node:http ${Math.round(hookRef)} records/s`,
    );
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
      name: `http-source webhook, ${WEBHOOK_ITEMS} items per request, 32 connections (connector only)`,
      value: median(hook),
      unit: 'records/s',
      reference: median(hookRefs),
      ratio: median(hookRatios),
      target: 'ratio >= 0.5',
    },
  ];
}
