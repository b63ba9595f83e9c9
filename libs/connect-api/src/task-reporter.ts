/**
 * Progress of a long phase of a task (a snapshot, a backfill), per item (a table, a file).
 * `total` is null while unknown (estimates are fine: say so in `phase`).
 */
export interface TaskProgress {
  /** What is in progress, e.g. "snapshot" or "incremental-snapshot". */
  phase: string;
  items: TaskProgressItem[];
}

export interface TaskProgressItem {
  name: string;
  done: number;
  total: number | null;
}

/**
 * Where a task reports what users watch besides record counts: progress, shown in the task's
 * REST status, /metrics and `sluice connectors status`, and gauges of its own, exported at
 * /metrics as `sluice_connector_<name>` with the connector and task labels added.
 */
export interface TaskReporter {
  /** Replaces the task's progress; null once the phase is over. */
  progress(progress: TaskProgress | null): void;
  /**
   * Sets a gauge. `name` is lower snake case ([a-z][a-z0-9_]*); a name keeps the help text and
   * label names it was first set with.
   */
  gauge(name: string, help: string, value: number, labels?: Readonly<Record<string, string>>): void;
}

/**
 * An operator's request to a running connector (POST /connectors/{name}/signals), e.g.
 * Debezium's `execute-snapshot` with `{"data-collections": [...], "type": "incremental"}`.
 */
export interface ConnectorSignal {
  /** Chosen by the sender to correlate logs; the worker makes one up when absent. */
  id: string;
  type: string;
  data: Readonly<Record<string, unknown>>;
}
