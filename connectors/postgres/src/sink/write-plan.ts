import type { InsertMode } from './postgres-sink.config.js';
import { sameColumnSchemas, type RowChange, type RowShape } from './row-change.js';
import { tableKey, type TableName } from './sql-identifier.js';

/**
 * How a batch's changes become a few set-based statements without changing what applying them
 * one by one, in order, would leave behind.
 *
 * Per table, consecutive changes that write the same columns form a segment (a change of columns,
 * as when a schema evolves mid-batch, starts a new one; a truncate is a step of its own). Within a
 * segment, changes are folded per key, keeping the last:
 *
 *   writes only                  -> op w: the last write (upsert/update) or every write (insert)
 *   ends with a delete           -> op d: delete the key
 *   a delete, then write(s)      -> op r: delete the key, then write (so columns the write leaves
 *                                   out are reset, exactly as delete-then-insert would)
 *
 * Executed as: DELETE for d and r, then INSERT / upsert / UPDATE for w and r. In update mode an
 * r row is only deleted: an UPDATE after a DELETE finds no row. Without a key (pk.mode=none,
 * insert only) nothing folds and every write is a row.
 */
export type RowOp = 'w' | 'd' | 'r';

export interface StagedRow {
  op: RowOp;
  /** Values of the segment shape's columns (a delete fills the key columns only). */
  values: unknown[];
}

export interface MergeStep {
  kind: 'merge';
  table: TableName;
  shape: RowShape;
  rows: StagedRow[];
  deletes: number;
  writes: number;
}

export type PlanStep = MergeStep | { kind: 'truncate'; table: TableName };

interface Entry {
  op: RowOp;
  /** Key values (d) or the row(s) to write (w, r; several only in insert mode). */
  rows: unknown[][];
}

class Segment {
  readonly entries = new Map<string, Entry>();
  readonly unkeyed: unknown[][] = [];
  hasWrites = false;

  constructor(
    readonly table: TableName,
    public shape: RowShape,
  ) {}

  keyNamesMatch(shape: RowShape): boolean {
    if (shape.keyCount !== this.shape.keyCount) return false;
    for (let i = 0; i < shape.keyCount; i++) if (shape.names[i] !== this.shape.names[i]) return false;
    return true;
  }

  /** Same key columns, written alike. */
  keysMatch(shape: RowShape): boolean {
    return this.keyNamesMatch(shape) && sameColumnSchemas(shape, this.shape, shape.keyCount);
  }

  accepts(change: RowChange & { kind: 'write' | 'delete' }): boolean {
    const shape = change.shape;
    if (change.kind === 'delete') return shape === this.shape || this.keysMatch(shape);
    if (shape === this.shape) return true;
    if (shape.signature === this.shape.signature)
      return sameColumnSchemas(shape, this.shape, shape.names.length);
    // a segment of deletes only takes the columns of its first write
    return !this.hasWrites && this.keysMatch(shape);
  }
}

/** Unambiguous text of the key values (length-prefixed, typed), for folding. */
export function keyText(values: readonly unknown[], keyCount: number): string {
  let out = '';
  for (let i = 0; i < keyCount; i++) {
    const v = values[i];
    let t: string;
    if (typeof v === 'string') t = `s${v}`;
    else if (typeof v === 'number' || typeof v === 'bigint') t = `n${String(v)}`;
    else if (typeof v === 'boolean') t = `b${v}`;
    else if (Buffer.isBuffer(v)) t = `x${v.toString('hex')}`;
    else if (v instanceof Date) t = `d${v.getTime()}`;
    else t = `j${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))}`;
    out += `${t.length}:${t}`;
  }
  return out;
}

/** The steps of a batch (truncates and merges), per table in order of first appearance. */
export function planBatch(changes: readonly RowChange[], mode: InsertMode): PlanStep[] {
  const perTable = new Map<string, { steps: (Segment | { kind: 'truncate'; table: TableName })[] }>();
  for (const change of changes) {
    if (change.kind === 'skip') continue;
    const tk = tableKey(change.table);
    let table = perTable.get(tk);
    if (!table) perTable.set(tk, (table = { steps: [] }));
    if (change.kind === 'truncate') {
      table.steps.push({ kind: 'truncate', table: change.table });
      continue;
    }
    const last = table.steps[table.steps.length - 1];
    let segment: Segment;
    if (last instanceof Segment && last.accepts(change)) {
      segment = last;
    } else {
      segment = new Segment(change.table, change.shape);
      table.steps.push(segment);
    }
    if (change.kind === 'write' && !segment.hasWrites) {
      segment.shape = change.shape;
      segment.hasWrites = true;
    }
    fold(segment, change, mode);
  }
  const steps: PlanStep[] = [];
  for (const { steps: tableSteps } of perTable.values()) {
    for (const s of tableSteps) steps.push(s instanceof Segment ? toStep(s) : s);
  }
  return steps;
}

function fold(segment: Segment, change: RowChange & { kind: 'write' | 'delete' }, mode: InsertMode): void {
  const keyCount = change.shape.keyCount;
  if (keyCount === 0) {
    segment.unkeyed.push(change.values);
    return;
  }
  const key = keyText(change.values, keyCount);
  const entry = segment.entries.get(key);
  if (change.kind === 'delete') {
    if (entry) {
      entry.op = 'd';
      entry.rows = [change.values];
    } else {
      segment.entries.set(key, { op: 'd', rows: [change.values] });
    }
    return;
  }
  if (!entry) {
    segment.entries.set(key, { op: 'w', rows: [change.values] });
  } else if (entry.op === 'd') {
    entry.op = 'r';
    entry.rows = [change.values];
  } else if (mode === 'insert') {
    entry.rows.push(change.values);
  } else {
    entry.rows = [change.values];
  }
}

function toStep(segment: Segment): MergeStep {
  const width = segment.shape.names.length;
  const rows: StagedRow[] = [];
  let deletes = 0;
  let writes = 0;
  for (const values of segment.unkeyed) rows.push({ op: 'w', values });
  writes += segment.unkeyed.length;
  for (const entry of segment.entries.values()) {
    if (entry.op !== 'w') deletes++;
    if (entry.op !== 'd') writes += entry.rows.length;
    for (const values of entry.rows) {
      // delete rows carry the key only: the other columns are staged as NULLs
      rows.push({ op: entry.op, values: values.length < width ? padded(values, width) : values });
    }
  }
  return { kind: 'merge', table: segment.table, shape: segment.shape, rows, deletes, writes };
}

function padded(values: readonly unknown[], width: number): unknown[] {
  const out = new Array<unknown>(width);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}
