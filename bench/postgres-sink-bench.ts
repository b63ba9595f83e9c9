import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SchemaBuilder,
  Schemas,
  type SinkConnector,
  type SinkRecord,
  type SinkTaskContext,
} from '@sluice/connect-api';
import { plugins } from '@sluice/connector-postgres';
import { Log } from '@sluice/log';
import type { BenchPostgres } from './postgres-bench-server.js';
import { BenchWorker } from './postgres-bench-worker.js';
import { copyFrom } from './postgres-copy.js';
import { median, type BenchRow } from './report.js';

const ROWS = Number(process.env['SLUICE_BENCH_PG_SINK_ROWS'] ?? 200_000);
const TOPIC = 'bench_rows';
const DB = 'sinkbench';
const NOTE = 'x'.repeat(60);

interface Row {
  id: number;
  user: string;
  event: string;
  amount: number;
  at: number;
  note: string;
}

function row(i: number): Row {
  return {
    id: i,
    user: `user-${i % 9973}`,
    event: i % 3 === 0 ? 'click' : 'view',
    amount: (i % 1000) / 10,
    at: 1_790_000_000_000 + i,
    note: NOTE,
  };
}

const field = (name: string, type: string): object => ({ field: name, type, optional: false });
const KEY_SCHEMA = { type: 'struct', optional: false, fields: [field('id', 'int64')] };
const VALUE_SCHEMA = {
  type: 'struct',
  optional: false,
  fields: [
    field('user', 'string'),
    field('event', 'string'),
    field('amount', 'float64'),
    field('at', 'int64'),
    field('note', 'string'),
  ],
};

/** The rows as the JSON converter with schemas.enable stores them, keyed by id. */
async function prefillLog(dir: string): Promise<void> {
  const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0 });
  try {
    await log.admin().createTopic({ name: TOPIC, partitions: 1 });
    const producer = log.producer();
    for (let start = 0; start < ROWS; start += 1000) {
      const records = [];
      for (let i = start; i < Math.min(ROWS, start + 1000); i++) {
        const { id, ...value } = row(i);
        records.push({
          key: JSON.stringify({ schema: KEY_SCHEMA, payload: { id } }),
          value: JSON.stringify({ schema: VALUE_SCHEMA, payload: value }),
        });
      }
      await producer.send({ topic: TOPIC, records });
    }
  } finally {
    await log.close();
  }
}

/** The reference: the same rows encoded as COPY text and copied into a table of the same shape. */
async function copyReference(server: BenchPostgres): Promise<number> {
  const client = await server.connect(DB);
  try {
    await client.query('DROP TABLE IF EXISTS copy_ref');
    await client.query(
      'CREATE TABLE copy_ref (id bigint PRIMARY KEY, "user" text NOT NULL, event text NOT NULL, amount double precision NOT NULL, at bigint NOT NULL, note text NOT NULL)',
    );
    const started = performance.now();
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const r = row(i);
      lines.push(`${r.id}\t${r.user}\t${r.event}\t${r.amount}\t${r.at}\t${r.note}\n`);
    }
    const copied = await copyFrom(client, 'COPY copy_ref FROM STDIN', Buffer.from(lines.join('')));
    const seconds = (performance.now() - started) / 1000;
    if (copied !== ROWS) throw new Error(`COPY copied ${copied} rows, not ${ROWS}`);
    return ROWS / seconds;
  } finally {
    await client.end();
  }
}

/**
 * The connector alone: its SinkTask fed prebuilt SinkRecords (as the JSON converter makes them) in
 * puts of 1,000, to tell its cost from the runtime's; timed until preCommit() returns, i.e. until
 * every row is committed in the target.
 */
async function sinkTaskRate(server: BenchPostgres, table: string): Promise<number> {
  const key = SchemaBuilder.struct().field('id', Schemas.INT64).build();
  const value = SchemaBuilder.struct()
    .field('user', Schemas.STRING)
    .field('event', Schemas.STRING)
    .field('amount', Schemas.FLOAT64)
    .field('at', Schemas.INT64)
    .field('note', Schemas.STRING)
    .build();
  const records: SinkRecord[] = [];
  for (let i = 0; i < ROWS; i++) {
    const { id, ...v } = row(i);
    records.push({
      topic: TOPIC,
      kafkaPartition: 0,
      kafkaOffset: i,
      keySchema: key,
      key: { id },
      valueSchema: value,
      value: v,
      timestamp: 0,
      headers: [],
      originalTopic: TOPIC,
      originalKafkaPartition: 0,
      originalKafkaOffset: i,
    });
  }
  const plugin = plugins.find((p) => p.name === 'postgres-sink');
  if (!plugin) throw new Error('postgres-sink plugin not found');
  const task = (plugin.create() as SinkConnector).createTask();
  const context: SinkTaskContext = {
    connector: 'bench',
    taskId: 0,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    assignment: () => [{ topic: TOPIC, partition: 0 }],
    offset: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    requestCommit: () => undefined,
    errantRecordReporter: {
      report: (_record, error) => Promise.reject(error),
    },
    signal: new AbortController().signal,
  };
  await task.start(
    {
      topics: TOPIC,
      'connection.url': server.url(DB),
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'auto.create': 'true',
      'table.name.format': table,
    },
    context,
  );
  try {
    const started = performance.now();
    for (let i = 0; i < ROWS; i += 1000) await task.put(records.slice(i, i + 1000));
    if (!task.preCommit) throw new Error('postgres-sink has no preCommit');
    await task.preCommit(new Map());
    return ROWS / ((performance.now() - started) / 1000);
  } finally {
    await task.stop();
  }
}

/**
 * The sink connector's batching, as a user tunes it for a bulk load:
 * - consumer.override.max.poll.records / max.partition.fetch.bytes: records per put() (the
 *   defaults, 2,000 records and 512 KiB, give about 800 of these 600-byte JSON-with-schema
 *   records per put);
 * - batch.size: rows per Postgres transaction (COPY into staging, then one upsert); the sink
 *   gathers rows across put() calls up to it while the previous batch is being written.
 */
const SINK_BATCHING: Record<string, string> = {
  'consumer.override.max.poll.records': '5000',
  'consumer.override.max.partition.fetch.bytes': String(4 * 1024 * 1024),
  'batch.size': '5000',
};

/**
 * postgres-sink upserts through the real worker: the topic is prefilled with ROWS records (JSON
 * with schemas, as a source would have written them), then a sink connector is created and timed
 * from its creation until it has committed every offset: the runtime commits offsets only after
 * the task's preCommit() has written every row before them, so every row is in the target.
 */
export async function sinkBench(
  server: BenchPostgres,
  runs: number,
  log: (line: string) => void,
): Promise<BenchRow[]> {
  await server.query(`CREATE DATABASE ${DB}`);
  const dir = fs.mkdtempSync(path.join(process.env['SLUICE_BENCH_DIR'] ?? os.tmpdir(), 'sluice-pg-sink-'));
  try {
    await prefillLog(path.join(dir, 'log'));
    const worker = await BenchWorker.start(dir, path.join(dir, 'log'));
    const rates: number[] = [];
    const refs: number[] = [];
    const ratios: number[] = [];
    const taskRates: number[] = [];
    const taskRatios: number[] = [];
    const cpus: number[] = [];
    try {
      for (let run = 1; run <= runs; run++) {
        const ref = await copyReference(server);
        const name = `pg-sink-${run}`;
        const started = performance.now();
        const cpuBefore = worker.cpuSeconds();
        await worker.createConnector(name, {
          'connector.class': 'postgres-sink',
          topics: TOPIC,
          'connection.url': server.url(DB),
          'insert.mode': 'upsert',
          'pk.mode': 'record_key',
          'auto.create': 'true',
          'table.name.format': `sink_run_${run}`,
          'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'key.converter.schemas.enable': 'true',
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': 'true',
          'offset.flush.interval.ms': '100',
          ...SINK_BATCHING,
        });
        await worker.waitUntil(name, () => worker.sinkOffset(name), 1, 60_000);
        const firstCommit = performance.now() - started;
        await worker.waitUntil(name, () => worker.sinkOffset(name), ROWS, 300_000);
        const rate = ROWS / ((performance.now() - started) / 1000);
        const cpu = ((worker.cpuSeconds() - cpuBefore) / ROWS) * 1e6;
        const [{ n }] = (await server.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM sink_run_${run}`,
          DB,
        )) as [{ n: number }];
        if (n !== ROWS) throw new Error(`sink_run_${run} holds ${n} rows, not ${ROWS}`);
        await worker.deleteConnector(name);
        const taskRate = await sinkTaskRate(server, `sink_task_run_${run}`);
        rates.push(rate);
        refs.push(ref);
        ratios.push(rate / ref);
        taskRates.push(taskRate);
        taskRatios.push(taskRate / ref);
        cpus.push(cpu);
        log(
          `  sink run ${run}: worker ${Math.round(rate)} rows/s (first commit after ${Math.round(firstCommit)} ms, CPU ${cpu.toFixed(1)} µs/row), SinkTask alone ${Math.round(taskRate)} rows/s, COPY FROM ${Math.round(ref)} rows/s`,
        );
      }
    } finally {
      await worker.stop();
    }
    return [
      {
        name: `postgres-sink upsert, ${ROWS} rows via worker (vs COPY FROM)`,
        value: median(rates),
        unit: 'rows/s',
        reference: median(refs),
        ratio: median(ratios),
        target: '>= 50,000 and ratio >= 0.3',
      },
      {
        name: `postgres-sink upsert, ${ROWS} rows, SinkTask.put alone (vs COPY FROM)`,
        value: median(taskRates),
        unit: 'rows/s',
        reference: median(refs),
        ratio: median(taskRatios),
      },
      {
        name: 'postgres-sink via worker: worker CPU per row (all threads)',
        value: median(cpus),
        unit: 'µs/row',
        reference: null,
        ratio: null,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
