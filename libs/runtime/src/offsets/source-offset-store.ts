import type { Log } from '@sluice/log';
import { CompactedTopicStore } from '../storage/compacted-topic-store.js';
import { INTERNAL_TOPICS } from '../storage/internal-topics.js';
import { stableJson } from '../storage/stable-json.js';

type OffsetMap = Record<string, unknown>;

/** Marks the entries that hold a task's log positions rather than a source partition's offset. */
const POSITIONS = '__sluice.positions';
type Partition = Readonly<Record<string, unknown>>;

/**
 * Committed source offsets, in Kafka Connect's layout: key `["<connector>", <partition map>]`,
 * value the offset map (null once reset).
 */
export class SourceOffsetStore {
  private readonly store: CompactedTopicStore<OffsetMap>;

  constructor(log: Log) {
    this.store = new CompactedTopicStore<OffsetMap>(log, INTERNAL_TOPICS.offsets);
  }

  open(): Promise<void> {
    return this.store.open();
  }

  static key(connector: string, partition: Partition): string {
    return stableJson([connector, partition]);
  }

  offset(connector: string, partition: Partition): OffsetMap | null {
    return this.store.get(SourceOffsetStore.key(connector, partition)) ?? null;
  }

  /** Every committed offset of a connector. */
  offsets(connector: string): { partition: Record<string, unknown>; offset: OffsetMap }[] {
    const out: { partition: Record<string, unknown>; offset: OffsetMap }[] = [];
    for (const [key, offset] of this.store.entries()) {
      const [name, partition] = JSON.parse(key) as [string, Record<string, unknown>];
      if (name === connector && !(POSITIONS in partition)) out.push({ partition, offset });
    }
    return out;
  }

  /**
   * Where each task's committed offsets stand in the log: per topic-partition ("topic:partition"),
   * the log offset up to which every record the task wrote is covered by its committed source
   * offsets. Recovery scans from there (see source-offset-recovery.ts).
   */
  positions(connector: string): Map<number, Record<string, number>> {
    const out = new Map<number, Record<string, number>>();
    for (const [key, value] of this.store.entries()) {
      const [name, partition] = JSON.parse(key) as [string, Record<string, unknown>];
      if (name === connector && typeof partition[POSITIONS] === 'number')
        out.set(partition[POSITIONS], value as Record<string, number>);
    }
    return out;
  }

  /** Commits offsets and the task's log positions they cover, in one durable write. */
  async commit(
    connector: string,
    task: number,
    offsets: Iterable<{ partition: Partition; offset: OffsetMap }>,
    positions: Record<string, number>,
  ): Promise<void> {
    const entries: [string, OffsetMap][] = [];
    for (const { partition, offset } of offsets)
      entries.push([SourceOffsetStore.key(connector, partition), offset]);
    const merged = {
      ...this.store.get(SourceOffsetStore.key(connector, { [POSITIONS]: task })),
      ...positions,
    };
    entries.push([SourceOffsetStore.key(connector, { [POSITIONS]: task }), merged]);
    await this.store.putAll(entries);
  }

  /** Commits offsets in one durable write. */
  write(
    connector: string,
    offsets: Iterable<{ partition: Partition; offset: OffsetMap | null }>,
  ): Promise<void> {
    const puts: [string, OffsetMap][] = [];
    const deletes: string[] = [];
    for (const { partition, offset } of offsets) {
      const key = SourceOffsetStore.key(connector, partition);
      if (offset === null) deletes.push(key);
      else puts.push([key, offset]);
    }
    return this.store.putAll(puts).then(async () => {
      for (const key of deletes) await this.store.delete(key);
    });
  }

  /** Forgets every offset of the connector (its log positions stay: they still bound recovery scans). */
  async reset(connector: string): Promise<void> {
    await this.write(
      connector,
      this.offsets(connector).map(({ partition }) => ({ partition, offset: null })),
    );
  }
}
