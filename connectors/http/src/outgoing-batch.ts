import { crc32c } from '@node-rs/crc32';
import type { SinkRecord, TopicPartition } from '@sluice/connect-api';

/** Where a batch goes: records whose rendered URL or headers differ never share a request. */
export interface BatchTarget {
  url: string;
  headers: Readonly<Record<string, string>>;
  /** Equal for equal targets; "" when nothing depends on the record. */
  key: string;
}

/** Records of one topic-partition, in offset order, on their way to the receiver in one request. */
export interface OutgoingBatch {
  readonly tp: TopicPartition;
  readonly target: BatchTarget;
  readonly records: SinkRecord[];
  /** The records' values as JSON text (sink-body-encoder.ts). */
  readonly values: string[];
  /**
   * The body's size in bytes, or while `exactBytes` is false a bound above it (see
   * DeliveryLanes.add): exact sizes are worked out only for a batch near batch.max.bytes.
   */
  bytes: number;
  exactBytes: boolean;
  readonly createdAt: number;
}

/** A batch's place in its topic-partition: `<topic>/<partition>/<first offset>-<last offset>`. */
export function batchRangeOf(batch: OutgoingBatch): string {
  const first = batch.records[0]!.kafkaOffset;
  const last = batch.records[batch.records.length - 1]!.kafkaOffset;
  return `${batch.tp.topic}/${batch.tp.partition}/${first}-${last}`;
}

/**
 * The Idempotency-Key of a batch with this body: the same for every retry of it, different for
 * any other batch. Offsets alone repeat once a topic is deleted and created again (they start
 * over at 0), and a receiver would then drop the new records as duplicates of the old: the body's
 * CRC-32C tells those apart.
 */
export function idempotencyKeyOf(batch: OutgoingBatch, body: Uint8Array): string {
  return `${batchRangeOf(batch)}/${crc32c(body).toString(16).padStart(8, '0')}`;
}
