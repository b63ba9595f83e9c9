import type { TopicConfig } from '../topics/topic-config.js';

export interface PartitionDescription {
  partition: number;
  /** First offset still in the log (retention and compaction move it forward). */
  startOffset: number;
  /** Offset the next record will get; records below it are readable (the high watermark). */
  endOffset: number;
  sizeBytes: number;
  segments: number;
}

export interface TopicDescription {
  name: string;
  /** Kafka's topic ID (KIP-516): differs between a topic and one created again under its name. */
  topicId: string;
  internal: boolean;
  config: TopicConfig;
  partitions: PartitionDescription[];
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
}

export interface FetchRequest {
  offset: number;
  /**
   * Soft limit on the bytes returned: whole batches only, and always at least the first batch
   * even when it alone is larger, so a consumer can never get stuck.
   */
  maxBytes: number;
  /** Long poll: when nothing is readable at `offset`, wait up to this long for new records. */
  maxWaitMs?: number;
  signal?: AbortSignal;
}

export interface FetchResult {
  /**
   * Whole record batches in offset order. The first may start before the requested offset (it is
   * the batch that holds it); offsets may have gaps where compaction removed records.
   */
  batches: Buffer;
  highWatermark: number;
  logStartOffset: number;
}

/**
 * Where topics live. Everything above the log (producer, consumer, admin, the runtime) talks to
 * storage only through this interface, so the embedded file backend and a later Postgres backend
 * are interchangeable. Appends take encoded RecordBatch buffers (see format/record-batch.ts) and
 * resolve only once the batch is durable under the backend's policy; reads return encoded batches.
 */
export interface LogStorage {
  open(): Promise<void>;
  close(): Promise<void>;

  createTopic(name: string, partitions: number, config: TopicConfig): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  listTopics(): Promise<string[]>;
  describeTopic(name: string): Promise<TopicDescription>;
  alterTopicConfig(name: string, config: TopicConfig): Promise<void>;
  /** Partition count, answered from memory: producers ask on every send. */
  partitionCount(topic: string): number | undefined;

  /** Appends one batch, assigning its offsets; resolves with them once durable. */
  append(topic: string, partition: number, batch: Buffer): Promise<AppendResult>;
  fetch(topic: string, partition: number, request: FetchRequest): Promise<FetchResult>;
  /** First offset whose record timestamp is >= `timestamp`, or null when there is none. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null>;
  offsets(topic: string, partition: number): Promise<{ startOffset: number; endOffset: number }>;
  /** Runs retention and compaction once, now (the backend also runs them in the background). */
  runCleaner(): Promise<void>;
}
