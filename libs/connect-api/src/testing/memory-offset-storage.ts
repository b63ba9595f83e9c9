import type { SourceRecord } from '../connect-record.js';
import type { OffsetStorageReader } from '../source-task.js';

/** A source partition as text, whatever the order of its keys. */
function stableKey(value: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** Committed source offsets, as the runtime's offset store would hold them. */
export class MemoryOffsetStorage implements OffsetStorageReader {
  private readonly committed = new Map<string, Record<string, unknown>>();

  /** Commits the offsets of these records (the last one per partition wins). */
  commit(records: readonly SourceRecord[]): void {
    for (const r of records) this.committed.set(stableKey(r.sourcePartition), { ...r.sourceOffset });
  }

  put(partition: Readonly<Record<string, unknown>>, offset: Record<string, unknown>): void {
    this.committed.set(stableKey(partition), offset);
  }

  async offset(partition: Readonly<Record<string, unknown>>): Promise<Record<string, unknown> | null> {
    return this.committed.get(stableKey(partition)) ?? null;
  }

  async offsets(
    partitions: readonly Readonly<Record<string, unknown>>[],
  ): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const p of partitions) {
      const o = this.committed.get(stableKey(p));
      if (o) out.set(stableKey(p), o);
    }
    return out;
  }
}
