import { BenchPostgres } from './postgres-bench-server.js';
import { sinkBench } from './postgres-sink-bench.js';
import { sourceBench } from './postgres-source-bench.js';
import type { BenchRow } from './report.js';

/**
 * `npm run bench -- postgres`: postgres-sink against COPY FROM, postgres-source CDC against a bare
 * pg-logical-replication loop and its snapshot against COPY TO, all on one throwaway server.
 * SLUICE_BENCH_PG_PARTS=sink or =source runs one half.
 */
export async function postgresBench({
  runs,
  log,
}: {
  runs: number;
  log: (line: string) => void;
}): Promise<BenchRow[]> {
  const parts = (process.env['SLUICE_BENCH_PG_PARTS'] ?? 'sink,source').split(',');
  const server = await BenchPostgres.start();
  try {
    const rows: BenchRow[] = [];
    if (parts.includes('sink')) rows.push(...(await sinkBench(server, runs, log)));
    if (parts.includes('source')) rows.push(...(await sourceBench(server, runs, log)));
    return rows;
  } finally {
    await server.stop();
  }
}
