import type { SourceRecord } from './connect-record.js';
import type { HttpIngress } from './http-ingress.js';
import type { ConnectLogger } from './logger.js';
import type { ConnectorSignal, TaskReporter } from './task-reporter.js';

/** Reads committed source offsets: where a task resumes after a restart. */
export interface OffsetStorageReader {
  offset(partition: Readonly<Record<string, unknown>>): Promise<Record<string, unknown> | null>;
  offsets(
    partitions: readonly Readonly<Record<string, unknown>>[],
  ): Promise<Map<string, Record<string, unknown>>>;
}

export interface SourceTaskContext {
  readonly connector: string;
  readonly taskId: number;
  readonly logger: ConnectLogger;
  readonly offsetStorageReader: OffsetStorageReader;
  /** Aborted when the task is stopping: blocking work inside poll() should end. */
  readonly signal: AbortSignal;
  /**
   * The worker's REST listener, for webhook-style sources (POST /ingest/{connector}); absent
   * where there is none (tools, tests).
   */
  readonly ingress?: HttpIngress;
  /** Progress and connector-specific gauges; absent where nothing watches (tools, tests). */
  readonly reporter?: TaskReporter;
}

/** Where the runtime put a record, passed to commitRecord. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
}

/**
 * Moves data from a system into the log.
 *
 * Lifecycle, in order: start(config, context); then poll() repeatedly, never two at once; the
 * records it returns are converted, transformed and written to the log, and only once they are
 * durable does the runtime call commitRecord(record) for each and, periodically, commit() and
 * store their sourceOffsets (so a restart resumes after the last durable record); stop() once,
 * after the last poll() returned. After stop() there are no more calls.
 */
export interface SourceTask {
  version?(): string;
  start(config: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> | void;
  /**
   * The next records, or an empty array when there are none right now. May wait briefly (up to a
   * second or so) for data; must return soon after context.signal aborts. Throwing a
   * RetriableError makes the runtime call it again after a backoff.
   */
  poll(): Promise<SourceRecord[]>;
  /** Everything returned by poll() so far is durable and its offsets are committed. */
  commit?(): Promise<void> | void;
  /** This record is durable in the log (or was dropped by a transform or filter, with metadata null). */
  commitRecord?(record: SourceRecord, metadata: RecordMetadata | null): Promise<void> | void;
  /**
   * An operator's signal for this connector (each running task of it gets it). Resolves once
   * accepted (not once done); rejecting with a DataError answers 400 with its message.
   * Tasks that take no signals leave it out.
   */
  handleSignal?(signal: ConnectorSignal): Promise<void> | void;
  stop(): Promise<void> | void;
}
