import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The runtime's Prometheus metrics, per connector and task. The admin API serves `registry` at
 * /metrics; nothing else reads it.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly sourceRecordsPolled: Counter<'connector' | 'task'>;
  readonly sourceRecordsWritten: Counter<'connector' | 'task'>;
  readonly sinkRecordsRead: Counter<'connector' | 'task'>;
  readonly sinkRecordsPut: Counter<'connector' | 'task'>;
  readonly recordErrors: Counter<'connector' | 'task' | 'stage'>;
  readonly recordsSkipped: Counter<'connector' | 'task'>;
  readonly deadLetterRecords: Counter<'connector' | 'task'>;
  readonly offsetCommitSeconds: Histogram<'connector' | 'task'>;
  readonly sinkLag: Gauge<'connector' | 'task' | 'topic' | 'partition'>;
  readonly taskState: Gauge<'connector' | 'task' | 'state'>;

  constructor() {
    const labels = ['connector', 'task'] as const;
    this.sourceRecordsPolled = new Counter({
      name: 'sluice_source_records_polled_total',
      help: 'Records returned by source task polls',
      labelNames: labels,
      registers: [this.registry],
    });
    this.sourceRecordsWritten = new Counter({
      name: 'sluice_source_records_written_total',
      help: 'Source records durable in the log',
      labelNames: labels,
      registers: [this.registry],
    });
    this.sinkRecordsRead = new Counter({
      name: 'sluice_sink_records_read_total',
      help: 'Records read from the log by sink tasks',
      labelNames: labels,
      registers: [this.registry],
    });
    this.sinkRecordsPut = new Counter({
      name: 'sluice_sink_records_put_total',
      help: 'Records handed to sink tasks',
      labelNames: labels,
      registers: [this.registry],
    });
    this.recordErrors = new Counter({
      name: 'sluice_task_record_errors_total',
      help: 'Record failures by stage (tolerated or not)',
      labelNames: ['connector', 'task', 'stage'],
      registers: [this.registry],
    });
    this.recordsSkipped = new Counter({
      name: 'sluice_task_records_skipped_total',
      help: 'Records skipped under errors.tolerance=all',
      labelNames: labels,
      registers: [this.registry],
    });
    this.deadLetterRecords = new Counter({
      name: 'sluice_task_dead_letter_records_total',
      help: 'Records written to the dead letter queue',
      labelNames: labels,
      registers: [this.registry],
    });
    this.offsetCommitSeconds = new Histogram({
      name: 'sluice_task_offset_commit_seconds',
      help: 'Time to flush and commit offsets',
      labelNames: labels,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    });
    this.sinkLag = new Gauge({
      name: 'sluice_sink_lag_records',
      help: 'Records between a sink task position and the partition end',
      labelNames: ['connector', 'task', 'topic', 'partition'],
      registers: [this.registry],
    });
    this.taskState = new Gauge({
      name: 'sluice_task_state',
      help: '1 for the current state of each task',
      labelNames: ['connector', 'task', 'state'],
      registers: [this.registry],
    });
  }
}
