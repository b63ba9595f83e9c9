import { parseIncrementalState, type IncrementalSnapshotState } from './incremental-snapshot-state.js';
import { lsnFromOffset, type Lsn } from './lsn.js';

/*
 * The source offset of postgres-source. One source partition per connector ({server: topic.prefix},
 * as Debezium's); the offset says how far the task got, precisely enough that a restart re-reads
 * exactly the records after it (the runtime's exactly-once delivery relies on that):
 *
 *   stream position   lsn_commit (commit LSN of a transaction) + event (records of it already
 *                     emitted, tombstones included): every transaction committing before
 *                     lsn_commit is done, and the first `event` records of that one.
 *   incremental       while an ad-hoc incremental snapshot runs: its tables and the last key read
 *                     (see incremental-snapshot-state.ts).
 *   snapshot          the shared snapshot state (tables in order, row estimates, passes) and, while
 *                     it runs, snapshot_table / snapshot_key / snapshot_rows: the position after
 *                     the record (its table, the key of its row, rows of that table so far).
 *
 * Snapshot passes: each pass reads part of the tables inside one exported snapshot taken at LSN
 * `lsn` (pass 0 at the slot's consistent point; later passes after a crash, or for
 * snapshot.mode=always). A pass covers the positions from (table, key) (exclusive) up to the next
 * pass. While streaming transactions committed before the last pass, a change is emitted only if
 * it committed at or after the pass that read its row: the snapshot already holds the others.
 *
 * LSNs are decimal strings (JSON has no 64-bit integers).
 */

export interface SnapshotPass {
  /** Consistent point of the pass's snapshot. */
  readonly lsn: string;
  /** First table index the pass read (in SnapshotState.tables). */
  readonly table: number;
  /** Key (text forms) after which the pass started reading that table; null from its first row. */
  readonly key: readonly string[] | null;
}

export interface SnapshotState {
  /** Set once every table was read. */
  readonly done: boolean;
  /** "<schema>.<table>" in reading order. */
  readonly tables: readonly string[];
  /** Estimated rows per table when the snapshot started. */
  readonly totals: readonly number[];
  /** Rows emitted per completed table. */
  readonly counts: readonly number[];
  readonly passes: readonly SnapshotPass[];
}

export interface PostgresSourceOffset {
  readonly lsn_commit?: string;
  readonly event?: number;
  /** LSN of the change (informative, as Debezium's lsn). */
  readonly lsn?: string;
  readonly txId?: number;
  readonly ts_usec?: number;
  readonly snapshot?: SnapshotState;
  readonly snapshot_table?: number;
  readonly snapshot_key?: readonly string[] | null;
  readonly snapshot_rows?: number;
  readonly incremental?: IncrementalSnapshotState;
}

/** A stream position: transactions before `commitLsn` are done, and `event` records of it. */
export interface StreamPosition {
  readonly commitLsn: Lsn;
  readonly event: number;
}

export interface ParsedOffset {
  readonly stream: StreamPosition | null;
  readonly snapshot: SnapshotState | null;
  /** Where a running snapshot stopped: table index, last key, rows of that table. */
  readonly snapshotAt: { table: number; key: readonly string[] | null; rows: number } | null;
  /** A running incremental snapshot. */
  readonly incremental: IncrementalSnapshotState | null;
}

export function sourcePartition(topicPrefix: string): Readonly<Record<string, string>> {
  return Object.freeze({ server: topicPrefix });
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function parseState(v: unknown): SnapshotState | null {
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Record<string, unknown>;
  if (!isStringArray(s['tables']) || !Array.isArray(s['passes'])) return null;
  const passes: SnapshotPass[] = [];
  for (const p of s['passes'] as unknown[]) {
    const pass = p as Record<string, unknown> | null;
    if (!pass || typeof pass['lsn'] !== 'string' || typeof pass['table'] !== 'number') return null;
    const key = pass['key'];
    passes.push({ lsn: pass['lsn'], table: pass['table'], key: isStringArray(key) ? key : null });
  }
  const numbers = (x: unknown): number[] => (Array.isArray(x) ? x.map((n) => Number(n) || 0) : []);
  return {
    done: s['done'] === true,
    tables: s['tables'],
    totals: numbers(s['totals']),
    counts: numbers(s['counts']),
    passes,
  };
}

/** Reads a committed offset; unknown shapes read as "no offset" (the caller warns). */
export function parseOffset(raw: Record<string, unknown> | null): ParsedOffset | null {
  if (!raw) return null;
  const commit = lsnFromOffset(raw['lsn_commit']);
  const event = raw['event'];
  const stream =
    commit !== null
      ? { commitLsn: commit, event: typeof event === 'number' && event >= 0 ? event : 0 }
      : null;
  const snapshot = parseState(raw['snapshot']);
  const table = raw['snapshot_table'];
  const snapshotAt =
    snapshot && !snapshot.done && typeof table === 'number'
      ? {
          table,
          key: isStringArray(raw['snapshot_key']) ? raw['snapshot_key'] : null,
          rows: typeof raw['snapshot_rows'] === 'number' ? raw['snapshot_rows'] : 0,
        }
      : null;
  if (!stream && !snapshot) return null;
  return { stream, snapshot, snapshotAt, incremental: parseIncrementalState(raw['incremental']) };
}

/** Rows done and estimated per table, from a snapshot state and the position of a running one. */
export interface TableProgress {
  readonly table: string;
  readonly rowsDone: number;
  /** The planner's estimate when the snapshot started (exact rows once done). */
  readonly rowsTotal: number;
  readonly state: 'pending' | 'running' | 'done';
}

export function snapshotProgress(
  state: SnapshotState,
  at: { table: number; rows: number } | null,
): TableProgress[] {
  return state.tables.map((table, i) => {
    const total = Math.max(0, Math.round(state.totals[i] ?? 0));
    if (state.done || (at !== null && i < at.table) || (at === null && i < state.counts.length)) {
      const done = state.counts[i] ?? 0;
      return { table, rowsDone: done, rowsTotal: done, state: 'done' };
    }
    if (at !== null && i === at.table)
      return { table, rowsDone: at.rows, rowsTotal: Math.max(total, at.rows), state: 'running' };
    return { table, rowsDone: 0, rowsTotal: total, state: 'pending' };
  });
}

/**
 * Snapshot progress from a committed postgres-source offset (GET /connectors/{name}/offsets
 * gives it): usable wherever the task runs. Null when the offset has no snapshot.
 */
export function snapshotProgressOfOffset(raw: Record<string, unknown> | null): TableProgress[] | null {
  const parsed = parseOffset(raw);
  if (!parsed?.snapshot) return null;
  return snapshotProgress(parsed.snapshot, parsed.snapshotAt);
}
