import type { TaskOffsets } from '../offsets/task-offsets.js';
import { stableJson } from '../storage/stable-json.js';
import type { TaskId } from '../worker/task-status.js';
import type { RpcChannel } from './rpc-channel.js';

type Partition = Readonly<Record<string, unknown>>;
type Offset = Readonly<Record<string, unknown>>;

/** A task thread's copy of its offsets: read locally, committed through the main thread's store. */
export class ThreadTaskOffsets implements TaskOffsets {
  private readonly offsets = new Map<string, Record<string, unknown>>();
  private committedPositions: Record<string, number>;

  constructor(
    private readonly channel: RpcChannel,
    private readonly id: TaskId,
    offsets: readonly { partition: Record<string, unknown>; offset: Record<string, unknown> }[],
    positions: Record<string, number>,
  ) {
    for (const o of offsets) this.offsets.set(stableJson(o.partition), o.offset);
    this.committedPositions = { ...positions };
  }

  offset(partition: Partition): Record<string, unknown> | null {
    return this.offsets.get(stableJson(partition)) ?? null;
  }

  positions(): Record<string, number> {
    return { ...this.committedPositions };
  }

  async commit(
    offsets: Iterable<{ partition: Partition; offset: Offset }>,
    positions: Record<string, number>,
  ): Promise<void> {
    const list = [...offsets].map((o) => ({ partition: { ...o.partition }, offset: { ...o.offset } }));
    await this.channel.call('task.commitOffsets', [this.id, list, positions]);
    for (const o of list) this.offsets.set(stableJson(o.partition), o.offset);
    this.committedPositions = { ...this.committedPositions, ...positions };
  }
}
