import type { SourceRecord } from '@sluice/connect-api';
import type { ReplicationSignalRow } from './signal-row.js';

/**
 * What the change stream tells the incremental snapshot, in stream order, and what it may add to
 * the stream. `at` is the stream offset of the point (commit LSN and records of the transaction so
 * far): records returned there carry it, so a restart resumes before them if they are not durable.
 */
export interface StreamObserver {
  /** Whether changes to `table` matter now (worth computing their keys). */
  watches(table: string): boolean;
  /** A captured row of `table` changed (key: its primary key texts; null: every row, or unknown). */
  changed(table: string, key: readonly string[] | null): void;
  /** A row inserted into the signal table; returns records to emit at this point. */
  signal(row: ReplicationSignalRow, at: Readonly<Record<string, unknown>>): readonly SourceRecord[];
  /** A transactional logical decoding message; returns records to emit at this point. */
  message(prefix: string, content: Buffer, at: Readonly<Record<string, unknown>>): readonly SourceRecord[];
  /** Fields every stream record's offset carries besides its position, or null. */
  offsetFields(): Readonly<Record<string, unknown>> | null;
}
