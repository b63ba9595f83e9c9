import type { SinkRecord } from './connect-record.js';
import type { ConnectLogger } from './logger.js';
import type { TaskReporter } from './task-reporter.js';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Reports records a sink cannot write, to the dead letter queue (or the log), per errors.tolerance. */
export interface ErrantRecordReporter {
  /** Resolves once reported; rejects (failing the task) when errors.tolerance is none. */
  report(record: SinkRecord, error: Error): Promise<void>;
}

export interface SinkTaskContext {
  readonly connector: string;
  readonly taskId: number;
  readonly logger: ConnectLogger;
  /** Partitions currently assigned to this task. */
  assignment(): TopicPartition[];
  /** Rewinds (or forwards) consumption of a partition, e.g. to an offset the sink stored itself. */
  offset(partition: TopicPartition, offset: number): void;
  /** Stops delivering records of these partitions until resume(); put() keeps being called for others. */
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /** Asks for a flush and offset commit soon. */
  requestCommit(): void;
  readonly errantRecordReporter: ErrantRecordReporter;
  /** Aborted when the task is stopping. */
  readonly signal: AbortSignal;
  /** Progress and connector-specific gauges; absent where nothing watches (tools, tests). */
  readonly reporter?: TaskReporter;
  /**
   * The topic's ID (Kafka's, KIP-516), null when the topic does not exist. A sink that stores
   * offsets itself stores the ID with them: a different one means the topic was deleted and
   * created again, and those offsets belong to the old one. Absent where there is no log (tools).
   */
  topicId?(topic: string): Promise<string | null>;
}

/** Offsets as the runtime tracks them: the next offset to read, per partition. */
export type PartitionOffsets = Map<string, { partition: TopicPartition; offset: number }>;

/**
 * Moves data from the log into a system.
 *
 * Lifecycle, in order: start(config, context); open(partitions) when partitions are assigned;
 * put(records) repeatedly with records of assigned partitions in offset order per partition;
 * preCommit(offsets) before each offset commit: it flushes (or says what is safe) and returns the
 * offsets to commit, which the runtime commits to the group; close(partitions) before partitions
 * go to another task (flush them first); stop() once. put() and preCommit() never run at once.
 * After stop() there are no more calls.
 */
export interface SinkTask {
  version?(): string;
  start(config: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> | void;
  open?(partitions: TopicPartition[]): Promise<void> | void;
  /** May buffer. Throwing a RetriableError makes the runtime redeliver the same records after a backoff. */
  put(records: SinkRecord[]): Promise<void>;
  /**
   * Returns the offsets that are safe to commit: everything before them is durable in the target.
   * By default it flushes and returns the ones given; a sink that writes in the background may
   * return earlier offsets for partitions with writes still in flight instead of waiting (they are
   * committed at a later call), but when context.signal is aborted (the task is stopping) it must
   * write everything first. Exactly-once sinks that store offsets themselves return an empty map.
   */
  preCommit?(offsets: PartitionOffsets): Promise<PartitionOffsets> | PartitionOffsets;
  /** Kafka Connect's flush: preCommit's default calls it and returns the given offsets. */
  flush?(offsets: PartitionOffsets): Promise<void> | void;
  close?(partitions: TopicPartition[]): Promise<void> | void;
  stop(): Promise<void> | void;
}
