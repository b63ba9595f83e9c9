import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchPostgres } from './postgres-bench-server.js';
import { BenchWorker } from './postgres-bench-worker.js';
import { replicationReference } from './postgres-cdc-reference.js';
import { copyTo } from './postgres-copy.js';
import { median, type BenchRow } from './report.js';

const ROWS = Number(process.env['SLUICE_BENCH_PG_CDC_ROWS'] ?? 200_000);
const DB = 'sourcebench';
const PUBLICATION = 'bench_pub';

/** ROWS rows of six columns, ids from..to, as a SELECT for INSERT. */
const rowsSelect = (from: string, to: string): string =>
  `SELECT g, 'user-' || (g % 9973), CASE WHEN g % 3 = 0 THEN 'click' ELSE 'view' END, (g % 1000) / 10.0, 1790000000000 + g, repeat('x', 60) FROM generate_series(${from}, ${to}) g`;

const createTable = (table: string): string =>
  `CREATE TABLE ${table} (id bigint PRIMARY KEY, "user" text NOT NULL, event text NOT NULL, amount double precision NOT NULL, at bigint NOT NULL, note text NOT NULL)`;

interface Scenario {
  label: string;
  /** Writes ROWS rows into `table`. */
  workload: (table: string) => string;
  target: string;
}

const SCENARIOS: Scenario[] = [
  {
    label: `${ROWS} rows in one transaction`,
    workload: (table) => `INSERT INTO ${table} ${rowsSelect('1', String(ROWS))}`,
    target: '>= 100,000 and ratio >= 0.6',
  },
  {
    label: `${ROWS} rows in transactions of 10`,
    // a DO block may COMMIT between statements when it is not inside a transaction itself
    workload: (table) =>
      `DO $$ BEGIN FOR i IN 0..${ROWS / 10 - 1} LOOP INSERT INTO ${table} ${rowsSelect('i * 10 + 1', 'i * 10 + 10')}; COMMIT; END LOOP; END $$`,
    target: '>= 60,000 and ratio >= 0.6',
  },
];

function sourceConfig(server: BenchPostgres, extra: Record<string, string>): Record<string, string> {
  return {
    'connector.class': 'postgres-source',
    'database.hostname': server.host,
    'database.port': String(server.port),
    'database.user': server.user,
    'database.password': server.password,
    'database.dbname': DB,
    'publication.name': PUBLICATION,
    'publication.autocreate.mode': 'disabled',
    'slot.drop.on.stop': 'true',
    // Debezium JSON: the Connect schema travels with key and value
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'true',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
    'offset.flush.interval.ms': '1000',
    ...extra,
  };
}

/**
 * CDC, from commit to durable in the log: both slots are created before the workload, so the
 * reference loop and postgres-source read the same slot contents; postgres-source is timed from
 * its connector's creation until every event is in its topic (the log acknowledges appends once
 * fsynced). Then snapshot.mode=initial_only of a table of ROWS rows against COPY TO.
 */
export async function sourceBench(
  server: BenchPostgres,
  runs: number,
  log: (line: string) => void,
): Promise<BenchRow[]> {
  await server.query(`CREATE DATABASE ${DB}`);
  await server.query(`CREATE PUBLICATION ${PUBLICATION} FOR ALL TABLES`, DB);
  const dir = fs.mkdtempSync(path.join(process.env['SLUICE_BENCH_DIR'] ?? os.tmpdir(), 'sluice-pg-source-'));
  const worker = await BenchWorker.start(dir, path.join(dir, 'log'));
  try {
    const rows: BenchRow[] = [];
    for (const [s, scenario] of SCENARIOS.entries()) {
      const rates: number[] = [];
      const refs: number[] = [];
      const ratios: number[] = [];
      const cpus: number[] = [];
      const refCpus: number[] = [];
      for (let run = 1; run <= runs; run++) {
        const table = `cdc_${s}_${run}`;
        await server.query(createTable(table), DB);
        for (const slot of [`ref_${table}`, `sluice_${table}`])
          await server.query(`SELECT pg_create_logical_replication_slot('${slot}', 'pgoutput')`, DB);
        await server.query(scenario.workload(table), DB);
        const ref = await replicationReference(server, DB, `ref_${table}`, PUBLICATION, ROWS);
        await server.query(`SELECT pg_drop_replication_slot('ref_${table}')`, DB);
        const name = `cdc-${table}`;
        const started = performance.now();
        const cpuBefore = worker.cpuSeconds();
        await worker.createConnector(
          name,
          sourceConfig(server, {
            'topic.prefix': `bench${s}${run}`,
            'slot.name': `sluice_${table}`,
            'snapshot.mode': 'no_data',
            'table.include.list': `public\\.${table}`,
          }),
        );
        await worker.waitUntil(name, () => worker.topicEnd(`bench${s}${run}.public.${table}`), ROWS, 300_000);
        const rate = ROWS / ((performance.now() - started) / 1000);
        const cpu = ((worker.cpuSeconds() - cpuBefore) / ROWS) * 1e6;
        await worker.deleteConnector(name);
        rates.push(rate);
        refs.push(ref.rate);
        ratios.push(rate / ref.rate);
        cpus.push(cpu);
        refCpus.push(ref.cpuMicros);
        log(
          `  cdc ${scenario.label}, run ${run}: ${Math.round(rate)} events/s, pg-logical-replication loop ${Math.round(ref.rate)} events/s; CPU ${cpu.toFixed(1)} µs/event, loop ${ref.cpuMicros.toFixed(1)}`,
        );
      }
      rows.push({
        name: `postgres-source CDC to the log, ${scenario.label}`,
        value: median(rates),
        unit: 'events/s',
        reference: median(refs),
        ratio: median(ratios),
        target: scenario.target,
      });
      rows.push({
        name: `postgres-source CDC, ${scenario.label}: worker CPU per event (all threads), against the loop's`,
        value: median(cpus),
        unit: 'µs/event',
        reference: median(refCpus),
        ratio: median(refCpus) / median(cpus),
      });
    }

    await server.query(createTable('snap_rows'), DB);
    await server.query(`INSERT INTO snap_rows ${rowsSelect('1', String(ROWS))}`, DB);
    await server.query('VACUUM ANALYZE snap_rows', DB);
    const rates: number[] = [];
    const refs: number[] = [];
    const ratios: number[] = [];
    const cpus: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const client = await server.connect(DB);
      let ref: number;
      try {
        const started = performance.now();
        const copied = await copyTo(client, 'COPY (SELECT * FROM snap_rows) TO STDOUT');
        ref = copied / ((performance.now() - started) / 1000);
      } finally {
        await client.end();
      }
      const name = `snapshot-${run}`;
      const started = performance.now();
      const cpuBefore = worker.cpuSeconds();
      await worker.createConnector(
        name,
        sourceConfig(server, {
          'topic.prefix': `snap${run}`,
          'slot.name': `snap_${run}`,
          'snapshot.mode': 'initial_only',
          'table.include.list': 'public\\.snap_rows',
        }),
      );
      await worker.waitUntil(name, () => worker.topicEnd(`snap${run}.public.snap_rows`), ROWS, 300_000);
      const rate = ROWS / ((performance.now() - started) / 1000);
      const cpu = ((worker.cpuSeconds() - cpuBefore) / ROWS) * 1e6;
      await worker.deleteConnector(name);
      rates.push(rate);
      refs.push(ref);
      ratios.push(rate / ref);
      cpus.push(cpu);
      log(
        `  snapshot run ${run}: ${Math.round(rate)} rows/s, COPY TO ${Math.round(ref)} rows/s; CPU ${cpu.toFixed(1)} µs/row`,
      );
    }
    rows.push({
      name: `postgres-source snapshot to the log, ${ROWS} rows (vs COPY TO)`,
      value: median(rates),
      unit: 'rows/s',
      reference: median(refs),
      ratio: median(ratios),
      target: 'ratio >= 0.3',
    });
    rows.push({
      name: 'postgres-source snapshot: worker CPU per row (all threads)',
      value: median(cpus),
      unit: 'µs/row',
      reference: null,
      ratio: null,
    });
    return rows;
  } finally {
    await worker.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
