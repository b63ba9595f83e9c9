/** A record header: Kafka allows repeated keys, so headers are an ordered list, not a map. */
export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/** What a producer sends. Strings are written as UTF-8. */
export interface ProducerRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: readonly { key: string; value: Buffer | string | null }[];
  /** Milliseconds since the epoch; defaults to the time of the send. */
  timestamp?: number;
  /** Overrides the partitioner. */
  partition?: number;
}

/**
 * A record read back from the log. `key` and `value` are views into the fetched bytes (no copy):
 * copy them if they must outlive the batch they came from by a long time.
 */
export interface LogRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}
