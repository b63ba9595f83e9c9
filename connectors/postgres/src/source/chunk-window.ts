import type { TupleValue } from './pgoutput-message.js';

/** A row an incremental snapshot chunk read. */
export interface ChunkRow {
  /** Primary key, text forms. */
  readonly key: readonly string[];
  readonly tuple: readonly TupleValue[];
  /** Position in the chunk (0 first): how many rows of it are done once this one is. */
  readonly ordinal: number;
}

/** Postgres text values never contain NUL, so this joins keys without ambiguity. */
const SEPARATOR = '\u0000';

/**
 * The rows of one incremental snapshot chunk between its watermarks, as in DBLog: the chunk was
 * read after its low watermark committed and before its high one. Changes streamed before the low
 * watermark are older than the read; a change streamed inside the window may be newer, so it
 * drops the read row of its key (the streamed event stands for the row instead); the rows left at
 * the high watermark are emitted there, before any change committed after the read.
 */
export class ChunkWindow {
  private opened = false;
  private readonly rows = new Map<string, ChunkRow>();

  constructor(
    readonly chunkId: string,
    /** "<schema>.<table>" */
    readonly table: string,
    rows: readonly ChunkRow[],
  ) {
    for (const row of rows) this.rows.set(row.key.join(SEPARATOR), row);
  }

  /** Between the low watermark and the high one. */
  get isOpen(): boolean {
    return this.opened;
  }

  /** The low watermark went by. */
  open(): void {
    this.opened = true;
  }

  /** A change to the row with `key` was streamed inside the window (null: to every row, a truncate). */
  changed(key: readonly string[] | null): void {
    if (!this.opened) return;
    if (key === null) this.rows.clear();
    else this.rows.delete(key.join(SEPARATOR));
  }

  /** The rows no streamed change superseded, in key order. */
  remaining(): ChunkRow[] {
    return [...this.rows.values()];
  }
}
