/**
 * The header that makes source delivery exactly-once: the last record of each source partition in
 * every chunk the runtime writes carries that partition's offset. A chunk (one record batch in
 * one log partition) is durable all or nothing, but a poll batch spread over several log
 * partitions is not: so each mark also says which poll batch it belongs to and how many chunks
 * that batch has, and recovery only trusts batches whose every chunk is in the log, in order.
 */
export const SOURCE_OFFSET_HEADER = '__sluice.source.offset';

/** Headers the runtime adds for itself; sink tasks do not see them. */
export const RUNTIME_HEADER_PREFIX = '__sluice.';

/** A header the runtime adds for itself (bookkeeping, not the record's data). */
export function isRuntimeHeader(key: string): boolean {
  return key.startsWith(RUNTIME_HEADER_PREFIX);
}

export interface SourceOffsetMark {
  /** connector */
  c: string;
  /** task */
  t: number;
  /** source partition */
  p: Record<string, unknown>;
  /** source offset */
  o: Record<string, unknown>;
  /** the task's poll batch sequence (absent in marks written before batches were numbered) */
  b?: number;
  /** chunks in that poll batch */
  n?: number;
  /** this chunk's index in the batch */
  i?: number;
  /** the record's index in the poll batch: of two marks of a partition in one batch, the later wins */
  x?: number;
  /**
   * how many of the poll batch's first records are in this chunk or an earlier one (or were never
   * written): with those chunks durable, this mark stands if x is below it, even when a later
   * chunk of the batch was lost
   */
  u?: number;
}

/**
 * The key of a task's log positions that holds the sequence of the last poll batch its committed
 * offsets cover ("#" is not allowed in topic names, so it never clashes with "topic:partition").
 */
export const BATCH_POSITION_KEY = '#batch';

/**
 * A mark read back from a header; null for text that is none (a record someone produced by hand
 * with this header): recovery skips it instead of failing the connector's every start.
 */
export function parseSourceOffsetMark(text: string): SourceOffsetMark | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isCount = (v: unknown): boolean => v === undefined || (Number.isInteger(v) && (v as number) >= 0);
  if (typeof m['c'] !== 'string' || !Number.isInteger(m['t']) || !isObject(m['p']) || !isObject(m['o']))
    return null;
  if (!isCount(m['b']) || !isCount(m['n']) || !isCount(m['i']) || !isCount(m['x']) || !isCount(m['u']))
    return null;
  return value as SourceOffsetMark;
}

/**
 * For each chunk of a poll batch, in issue order: how many of the poll's first records are in it
 * or an earlier chunk, or never written (filtered, failed). Once those chunks are durable, a mark
 * of a record below that count stands, whatever became of later chunks (see the recovery).
 */
export function durablePrefixes(
  count: number,
  chunks: readonly { chunk: readonly { index: number }[] }[],
): number[] {
  const pending = new Uint8Array(count);
  for (const { chunk } of chunks) for (const l of chunk) pending[l.index] = 1;
  const out: number[] = [];
  let covered = 0;
  for (const { chunk } of chunks) {
    for (const l of chunk) pending[l.index] = 0;
    while (covered < count && pending[covered] === 0) covered++;
    out.push(covered);
  }
  return out;
}
