import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Log, type ProducerRecord } from '@sluice/log';
import { median, type BenchRow } from './report.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const BATCH = 1000;
// Kafka producer's default max.in.flight.requests.per.connection.
const IN_FLIGHT = 5;

function workDir(): string {
  return fs.mkdtempSync(path.join(process.env['SLUICE_BENCH_DIR'] ?? os.tmpdir(), 'sluice-bench-'));
}

/** The disk's limit as Node sees it: fs.write in 1 MiB chunks, then fdatasync. */
function rawWrite(dir: string, bytes: number): number {
  const file = path.join(dir, 'raw.bin');
  const chunk = randomBytes(MiB);
  const fd = fs.openSync(file, 'w');
  const started = performance.now();
  for (let written = 0; written < bytes; written += MiB)
    fs.writeSync(fd, chunk, 0, Math.min(MiB, bytes - written));
  fs.fdatasyncSync(fd);
  const seconds = (performance.now() - started) / 1000;
  fs.closeSync(fd);
  fs.rmSync(file);
  return bytes / seconds;
}

function rawRead(file: string): number {
  const chunk = Buffer.allocUnsafe(MiB);
  const fd = fs.openSync(file, 'r');
  const started = performance.now();
  let total = 0;
  for (let n; (n = fs.readSync(fd, chunk, 0, MiB, null)) > 0;) total += n;
  const seconds = (performance.now() - started) / 1000;
  fs.closeSync(fd);
  return total / seconds;
}

/** One producer, batches of 1,000 records, a few sends in flight, fsync group commit. */
async function append(
  dir: string,
  topic: string,
  valueSize: number,
  records: number,
): Promise<{ seconds: number; bytes: number }> {
  const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0 });
  await log.admin().createTopic({ name: topic, partitions: 1 });
  const producer = log.producer();
  const value = randomBytes(valueSize);
  const batch: ProducerRecord[] = Array.from({ length: BATCH }, () => ({ value }));
  const inFlight = new Set<Promise<unknown>>();
  const started = performance.now();
  for (let sent = 0; sent < records; sent += BATCH) {
    const p = producer.send({ topic, records: batch });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  const bytes = (await log.admin().describeTopic(topic)).partitions[0]!.sizeBytes;
  await log.close();
  return { seconds, bytes };
}

async function appendRows(
  valueSize: number,
  records: number,
  runs: number,
  log: (l: string) => void,
): Promise<BenchRow[]> {
  const recordRates: number[] = [];
  const byteRates: number[] = [];
  const rawRates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dir = workDir();
    try {
      const result = await append(dir, 'bench', valueSize, records);
      const raw = rawWrite(dir, result.bytes);
      recordRates.push(records / result.seconds);
      byteRates.push(result.bytes / result.seconds);
      rawRates.push(raw);
      log(
        `  append ${valueSize} B run ${run + 1}: ${Math.round(records / result.seconds)} records/s, ${(result.bytes / result.seconds / 1e6).toFixed(0)} MB/s; raw ${(raw / 1e6).toFixed(0)} MB/s`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const bytesPerRecord = median(byteRates) / median(recordRates);
  const rawMB = median(rawRates) / 1e6;
  // each run's append and raw write are adjacent, so the ratio is taken per run, then the median
  const ratio = median(byteRates.map((b, i) => b / rawRates[i]!));
  const label = valueSize >= 1024 ? `${valueSize / 1024} KiB` : `${valueSize} B`;
  return [
    {
      name: `append ${label} values (records/s)`,
      value: median(recordRates),
      unit: 'records/s',
      reference: median(rawRates) / bytesPerRecord,
      ratio,
      target: valueSize === 100 ? '>= 2,000,000' : undefined,
    },
    {
      name: `append ${label} values (MB/s)`,
      value: median(byteRates) / 1e6,
      unit: 'MB/s',
      reference: rawMB,
      ratio,
      target: valueSize >= 1024 ? 'ratio >= 0.7' : undefined,
    },
  ];
}

/**
 * A change event as postgres-source writes it with the JSON converter's schemas.enable: the
 * envelope's schema (the same text in every event) and a payload of one row.
 */
function changeEvent(i: number): ProducerRecord {
  const columns = ['id', 'user', 'event', 'amount', 'at', 'note'].map((field, n) => ({
    type: n === 0 || n === 4 ? 'int64' : n === 3 ? 'double' : 'string',
    optional: n !== 0,
    field,
  }));
  const row = { type: 'struct', fields: columns, optional: true, name: 'bench.public.t.Value' };
  const source = {
    type: 'struct',
    fields: [
      'version',
      'connector',
      'name',
      'ts_ms',
      'snapshot',
      'db',
      'sequence',
      'schema',
      'table',
      'txId',
      'lsn',
      'xmin',
    ].map((field) => ({
      type: /ts_ms|txId|lsn|xmin/.test(field) ? 'int64' : 'string',
      optional: true,
      field,
    })),
    optional: false,
    name: 'io.debezium.connector.postgresql.Source',
  };
  const schema = JSON.stringify({
    type: 'struct',
    fields: [
      { ...row, field: 'before' },
      { ...row, field: 'after' },
      { ...source, field: 'source' },
      { type: 'string', optional: false, field: 'op' },
      { type: 'int64', optional: true, field: 'ts_ms' },
    ],
    optional: false,
    name: 'bench.public.t.Envelope',
  });
  const after = {
    id: i,
    user: `user-${i % 9973}`,
    event: i % 3 ? 'view' : 'click',
    amount: (i % 1000) / 10,
    at: 1790000000000 + i,
    note: 'x'.repeat(60),
  };
  const payload = JSON.stringify({
    before: null,
    after,
    source: {
      version: '0.1.0',
      connector: 'postgresql',
      name: 'bench',
      ts_ms: 1790000000000 + i,
      snapshot: 'false',
      db: 'db',
      sequence: null,
      schema: 'public',
      table: 't',
      txId: 1000 + i,
      lsn: 4096 * i,
      xmin: null,
    },
    op: 'c',
    ts_ms: 1790000000000 + i,
  });
  return { key: `{"id":${i}}`, value: `{"schema":${schema},"payload":${payload}}` };
}

/** The same change events appended with lz4 and without compression, runs alternating. */
async function compressionRows(records: number, runs: number, log: (l: string) => void): Promise<BenchRow[]> {
  const batches: ProducerRecord[][] = [];
  for (let start = 0; start < records; start += BATCH)
    batches.push(Array.from({ length: Math.min(BATCH, records - start) }, (_, k) => changeEvent(start + k)));
  const eventBytes = Buffer.byteLength(batches[0]![0]!.value as string);
  const rates: Record<'lz4' | 'none', number[]> = { lz4: [], none: [] };
  const sizes: Record<'lz4' | 'none', number[]> = { lz4: [], none: [] };
  for (let run = 0; run < runs; run++) {
    for (const compression of ['none', 'lz4'] as const) {
      const dir = workDir();
      try {
        const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0 });
        await log.admin().createTopic({ name: 'events', partitions: 1 });
        const producer = log.producer({ compression });
        const inFlight = new Set<Promise<unknown>>();
        const started = performance.now();
        for (const records of batches) {
          const p = producer.send({ topic: 'events', records });
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
          if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
        rates[compression].push(records / ((performance.now() - started) / 1000));
        sizes[compression].push(
          (await log.admin().describeTopic('events')).partitions[0]!.sizeBytes / records,
        );
        await log.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    log(
      `  change events (${eventBytes} B) run ${run + 1}: lz4 ${Math.round(rates.lz4[run]!)} records/s, ${Math.round(sizes.lz4[run]!)} B each on disk; none ${Math.round(rates.none[run]!)} records/s, ${Math.round(sizes.none[run]!)} B`,
    );
  }
  return [
    {
      name: `append ${eventBytes} B Debezium JSON change events with schemas: lz4 (worker default) against none`,
      value: median(rates.lz4),
      unit: 'records/s',
      reference: median(rates.none),
      ratio: median(rates.lz4.map((r, i) => r / rates.none[i]!)),
    },
    {
      name: 'those change events on disk: lz4 against none',
      value: median(sizes.lz4),
      unit: 'B/record',
      reference: median(sizes.none),
      ratio: median(sizes.none) / median(sizes.lz4),
    },
  ];
}

async function readRows(runs: number, log: (l: string) => void): Promise<BenchRow[]> {
  const dir = workDir();
  try {
    // a partition of at least 1 GiB of 100 B values
    const perRecordOnDisk = 110;
    const records = Math.ceil(GiB / perRecordOnDisk / BATCH) * BATCH;
    const { bytes } = await append(dir, 'read', 100, records);
    log(`  wrote ${(bytes / GiB).toFixed(2)} GiB in ${records} records for the read test`);
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'log-read-child.js');
    const segment = path.join(dir, 'read', '0', '00000000000000000000.log');
    const rates: number[] = [];
    const rss: number[] = [];
    const raw: number[] = [];
    for (let run = 0; run < runs; run++) {
      const out = JSON.parse(
        execFileSync(process.execPath, [child, dir, 'read'], { encoding: 'utf8' }).trim(),
      ) as {
        records: number;
        seconds: number;
        maxRssMb: number;
      };
      if (out.records !== records) throw new Error(`read ${out.records} records, expected ${records}`);
      rates.push(out.records / out.seconds);
      rss.push(out.maxRssMb);
      raw.push(rawRead(segment));
      log(
        `  read run ${run + 1}: ${Math.round(out.records / out.seconds)} records/s, peak RSS ${out.maxRssMb.toFixed(0)} MB; raw read ${(raw[run]! / 1e6).toFixed(0)} MB/s`,
      );
    }
    const rawRecords = median(raw) / (bytes / records);
    const ratio = median(rates.map((r, i) => r / (raw[i]! / (bytes / records))));
    return [
      {
        name: 'read 1 GiB partition, 100 B values',
        value: median(rates),
        unit: 'records/s',
        reference: rawRecords,
        ratio,
        target: '>= 4,000,000',
      },
      {
        name: 'read 1 GiB partition: peak RSS',
        value: median(rss),
        unit: 'MB',
        reference: null,
        ratio: null,
        target: '< 200',
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function logBench({
  runs,
  log,
}: {
  runs: number;
  log: (line: string) => void;
}): Promise<BenchRow[]> {
  return [
    ...(await appendRows(100, 3_000_000, runs, log)),
    ...(await appendRows(1024, 500_000, runs, log)),
    ...(await compressionRows(200_000, runs, log)),
    ...(await readRows(runs, log)),
  ];
}
