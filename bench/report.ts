/** One figure of a benchmark, beside the reference measured in the same run. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same quantity for the reference (e.g. the raw disk), or null when the row is absolute. */
  reference: number | null;
  /** value / reference: the median of the per-run ratios, each run's pair measured back to back. */
  ratio: number | null;
  /** What the row should reach, for the reader: "ratio >= 0.7", ">= 2,000,000". */
  target?: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function format(n: number | null): string {
  if (n === null) return '-';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);
}

export function printTable(rows: readonly BenchRow[], out: (line: string) => void = console.log): void {
  const header = ['benchmark', 'value', 'unit', 'reference', 'ratio', 'target'];
  const cells = rows.map((r) => [
    r.name,
    format(r.value),
    r.unit,
    format(r.reference),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    r.target ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string =>
    `| ${c.map((x, i) => (i === 0 || i === 2 || i === 5 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
  out(line(header));
  out(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) out(line(c));
}
