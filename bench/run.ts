/**
 * `npm run bench -- <suite> [--runs N] [--json]`: runs a benchmark suite and prints a table of
 * figures beside references measured in the same run. With --json the last line is a JSON array
 * of {name, value, unit, reference, ratio}. Figures are medians of N runs (default 3).
 */
import { printTable, type BenchRow } from './report.js';

type Suite = (options: { runs: number; log: (line: string) => void }) => Promise<BenchRow[]>;

const suites: Record<string, () => Promise<Suite>> = {
  log: async () => (await import('./log.bench.js')).logBench,
  pipeline: async () => (await import('./pipeline.bench.js')).pipelineBench,
  http: async () => (await import('./http.bench.js')).httpBench,
  postgres: async () => (await import('./postgres.bench.js')).postgresBench,
};

const args = process.argv.slice(2);
const json = args.includes('--json');
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const names = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const selected = names.length > 0 ? names : Object.keys(suites);

const unknown = selected.filter((n) => !(n in suites));
if (unknown.length > 0 || !Number.isInteger(runs) || runs < 1) {
  console.error(`usage: npm run bench -- [${Object.keys(suites).join('|')}] [--runs N] [--json]`);
  if (unknown.length > 0) console.error(`unknown suite: ${unknown.join(', ')}`);
  process.exit(2);
}

const rows: BenchRow[] = [];
const log = (line: string): void => void process.stderr.write(`${line}\n`);
for (const name of selected) {
  log(`# ${name} (median of ${runs} runs)`);
  rows.push(...(await (await suites[name]!())({ runs, log })));
}
printTable(rows);
if (json) {
  console.log(
    JSON.stringify(
      rows.map(({ name, value, unit, reference, ratio }) => ({ name, value, unit, reference, ratio })),
    ),
  );
}
