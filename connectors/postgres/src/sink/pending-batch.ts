import type { SinkRecord } from '@sluice/connect-api';
import type { RowChange } from './row-change.js';
import { partitionKey, type StoredOffset } from './sink-offsets-store.js';

/**
 * Records accepted by put() that go into the target in one transaction: the changes to apply and,
 * per partition, the next offset past every record of the batch (skipped and reported records
 * included, so exactly.once moves past them too).
 */
export class PendingBatch {
  readonly changes: RowChange[] = [];
  readonly offsets = new Map<string, StoredOffset>();
  /** Records taken, whether or not they change a row. */
  records = 0;
  /**
   * A write of it was tried (and failed): its COMMIT may have landed all the same, so with
   * exactly.once the next try first reads what the target holds.
   */
  attempted = false;
  private readonly perPartition = new Map<string, number>();
  /** Per partition, the offset of the first record taken. */
  readonly first = new Map<string, number>();

  /** `change` is null for a record that writes nothing (skipped, or reported as errant). */
  add(record: SinkRecord, change: RowChange | null): void {
    this.records++;
    if (change) this.changes.push(change);
    const key = partitionKey(record.topic, record.kafkaPartition);
    this.perPartition.set(key, (this.perPartition.get(key) ?? 0) + 1);
    if (!this.first.has(key)) this.first.set(key, record.kafkaOffset);
    const known = this.offsets.get(key);
    if (!known || known.offset <= record.kafkaOffset)
      this.offsets.set(key, {
        topic: record.topic,
        partition: record.kafkaPartition,
        offset: record.kafkaOffset + 1,
      });
  }

  /** This batch without the records of the given partitions (partitionKey()s). */
  without(partitions: ReadonlySet<string>): PendingBatch {
    const out = new PendingBatch();
    for (const change of this.changes) {
      if (!partitions.has(partitionKey(change.record.topic, change.record.kafkaPartition)))
        out.changes.push(change);
    }
    for (const [key, offset] of this.offsets) if (!partitions.has(key)) out.offsets.set(key, offset);
    for (const [key, count] of this.perPartition) {
      if (partitions.has(key)) continue;
      out.perPartition.set(key, count);
      out.first.set(key, this.first.get(key)!);
      out.records += count;
    }
    out.attempted = this.attempted;
    return out;
  }
}
