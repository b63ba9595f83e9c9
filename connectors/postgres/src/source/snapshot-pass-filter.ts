import { lsnFromOffset, type Lsn } from './lsn.js';
import type { SnapshotState } from './source-offset.js';

/** True when key `a` sorts after key `b` in the table's primary key order (as the server compares). */
export type KeyAfter = (table: string, a: readonly string[], b: readonly string[]) => Promise<boolean>;

/**
 * Decides, for changes streamed from before the last snapshot pass, whether the snapshot already
 * holds them (see source-offset.ts): a change to a row is emitted only if it committed at or after
 * the consistent point of the pass that read the row. Changes committed at or after the last
 * pass, and changes to tables the snapshot did not read, are always emitted.
 */
export class SnapshotPassFilter {
  /** Commits at or after this LSN are always emitted. */
  readonly until: Lsn;
  private readonly tableIndex: Map<string, number>;
  private readonly passes: { lsn: Lsn; table: number; key: readonly string[] | null }[];

  constructor(
    state: SnapshotState,
    private readonly keyAfter: KeyAfter,
  ) {
    this.passes = state.passes.map((p) => ({ lsn: lsnFromOffset(p.lsn) ?? 0n, table: p.table, key: p.key }));
    this.until = this.passes.reduce((max, p) => (p.lsn > max ? p.lsn : max), 0n);
    this.tableIndex = new Map(state.tables.map((t, i) => [t, i]));
  }

  /** Whether the filter can still drop anything at `commitLsn`. */
  active(commitLsn: Lsn): boolean {
    return commitLsn < this.until;
  }

  /** Emit a change of `table` to the row with `key` (null: no key, or the whole table) committed at `commitLsn`? */
  async emits(table: string, key: readonly string[] | null, commitLsn: Lsn): Promise<boolean> {
    if (commitLsn >= this.until) return true;
    const index = this.tableIndex.get(table);
    if (index === undefined) return true;
    for (let j = this.passes.length - 1; j >= 0; j--) {
      const pass = this.passes[j]!;
      if (pass.table > index) continue;
      if (pass.table < index || pass.key === null) return commitLsn >= pass.lsn;
      if (key !== null && (await this.keyAfter(table, key, pass.key))) return commitLsn >= pass.lsn;
    }
    return true;
  }
}
