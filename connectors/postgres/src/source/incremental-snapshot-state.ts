/**
 * Where an ad-hoc incremental snapshot is. Every record emitted while it runs carries it in its
 * source offset (key `incremental`), so a restart resumes after the last durable chunk row; once
 * every table is read the records carry none, which is how a restart knows it is over.
 */
export interface IncrementalSnapshotState {
  /** "<schema>.<table>" requested, in reading order; `index` is the one being read. */
  readonly tables: readonly string[];
  readonly index: number;
  /** Rows read per table (the current one so far). */
  readonly rows: readonly number[];
  /** Estimated rows per table, known once its reading starts. */
  readonly totals: readonly (number | null)[];
  /** Key (text forms) of the last row read of the current table; null: from its start. */
  readonly lastKey: readonly string[] | null;
  /** Largest key of the current table when its reading started; null: not looked up yet. */
  readonly maxKey: readonly string[] | null;
}

/** The state with `tables` added (those already pending are not added twice). */
export function withTables(
  state: IncrementalSnapshotState | null,
  tables: readonly string[],
): IncrementalSnapshotState {
  const base = state ?? { tables: [], index: 0, rows: [], totals: [], lastKey: null, maxKey: null };
  const pending = new Set(base.tables.slice(base.index));
  const added = [...new Set(tables)].filter((t) => !pending.has(t));
  return {
    ...base,
    tables: [...base.tables, ...added],
    rows: [...base.rows, ...added.map(() => 0)],
    totals: [...base.totals, ...added.map(() => null)],
  };
}

/** The state without the pending `tables` (null: all of them); null when nothing is left to read. */
export function withoutTables(
  state: IncrementalSnapshotState,
  tables: readonly string[] | null,
): IncrementalSnapshotState | null {
  const stopped = (name: string, i: number): boolean =>
    i >= state.index && (tables === null || tables.includes(name));
  const kept = state.tables.map((_, i) => i).filter((i) => !stopped(state.tables[i]!, i));
  const currentKept = kept.includes(state.index);
  const next: IncrementalSnapshotState = {
    tables: kept.map((i) => state.tables[i]!),
    index: kept.filter((i) => i < state.index).length,
    rows: kept.map((i) => state.rows[i] ?? 0),
    totals: kept.map((i) => state.totals[i] ?? null),
    lastKey: currentKept ? state.lastKey : null,
    maxKey: currentKept ? state.maxKey : null,
  };
  return next.index < next.tables.length ? next : null;
}

/** The current table is being read up to `maxKey`, about `total` rows. */
export function startedTable(
  state: IncrementalSnapshotState,
  maxKey: readonly string[],
  total: number,
): IncrementalSnapshotState {
  const totals = [...state.totals];
  totals[state.index] = total;
  return { ...state, maxKey, totals };
}

/** `read` more rows of the current table are done, up to `key`. */
export function afterRows(
  state: IncrementalSnapshotState,
  key: readonly string[],
  read: number,
): IncrementalSnapshotState {
  const rows = [...state.rows];
  rows[state.index] = (rows[state.index] ?? 0) + read;
  return { ...state, rows, lastKey: key };
}

/** The current table is done: the next one, or null when it was the last. */
export function nextTable(state: IncrementalSnapshotState): IncrementalSnapshotState | null {
  const totals = [...state.totals];
  totals[state.index] = state.rows[state.index] ?? 0;
  const next = { ...state, totals, index: state.index + 1, lastKey: null, maxKey: null };
  return next.index < next.tables.length ? next : null;
}

export function currentTable(state: IncrementalSnapshotState): string {
  return state.tables[state.index]!;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Reads the `incremental` field of a committed offset; anything malformed reads as none. */
export function parseIncrementalState(v: unknown): IncrementalSnapshotState | null {
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Record<string, unknown>;
  const tables = s['tables'];
  const index = s['index'];
  if (!isStringArray(tables) || typeof index !== 'number' || index < 0 || index >= tables.length) return null;
  const numbers = (x: unknown): number[] => tables.map((_, i) => (Array.isArray(x) ? Number(x[i]) || 0 : 0));
  const totals = Array.isArray(s['totals'])
    ? tables.map((_, i) => {
        const t = (s['totals'] as unknown[])[i];
        return typeof t === 'number' ? t : null;
      })
    : tables.map(() => null);
  return {
    tables,
    index,
    rows: numbers(s['rows']),
    totals,
    lastKey: isStringArray(s['lastKey']) ? s['lastKey'] : null,
    maxKey: isStringArray(s['maxKey']) ? s['maxKey'] : null,
  };
}
