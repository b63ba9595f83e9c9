import type { Log } from '@sluice/log';
import { CompactedTopicStore } from '../storage/compacted-topic-store.js';
import { INTERNAL_TOPICS } from '../storage/internal-topics.js';
import { stableJson } from '../storage/stable-json.js';

type OffsetMap = Record<string, unknown>;
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
      if (name === connector) out.push({ partition, offset });
    }
    return out;
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

  async reset(connector: string): Promise<void> {
    await this.write(
      connector,
      this.offsets(connector).map(({ partition }) => ({ partition, offset: null })),
    );
  }
}
