/** A row of the signal table (signal.data.collection): Debezium's id, type and data columns. */
export interface ReplicationSignalRow {
  readonly id: string;
  readonly type: string;
  /** JSON text, or null. */
  readonly data: string | null;
}
