import type { SourceOffsetStore } from './source-offset-store.js';

type Partition = Readonly<Record<string, unknown>>;
type Offset = Readonly<Record<string, unknown>>;

/**
 * A source task's view of its connector's offsets: reads answer at once (the task reads them at
 * start and after restarts), commits are durable when they resolve. Only one task writes a given
 * source partition and its own positions, so a task thread can keep a copy.
 */
export interface TaskOffsets {
  offset(partition: Partition): Record<string, unknown> | null;
  /** This task's committed log positions ("topic:partition" → next offset). */
  positions(): Record<string, number>;
  commit(
    offsets: Iterable<{ partition: Partition; offset: Offset }>,
    positions: Record<string, number>,
  ): Promise<void>;
}

/** TaskOffsets straight on the worker's store (tasks in the main thread). */
export class StoreTaskOffsets implements TaskOffsets {
  constructor(
    private readonly store: SourceOffsetStore,
    private readonly connector: string,
    private readonly task: number,
  ) {}

  offset(partition: Partition): Record<string, unknown> | null {
    return this.store.offset(this.connector, partition);
  }

  positions(): Record<string, number> {
    return this.store.positions(this.connector).get(this.task) ?? {};
  }

  commit(
    offsets: Iterable<{ partition: Partition; offset: Offset }>,
    positions: Record<string, number>,
  ): Promise<void> {
    return this.store.commit(this.connector, this.task, offsets, positions);
  }
}
