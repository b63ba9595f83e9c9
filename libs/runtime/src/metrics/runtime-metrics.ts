import type { TaskProgress } from '@sluice/connect-api';
import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

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
  readonly progressDone: Gauge<'connector' | 'task' | 'phase' | 'item'>;
  readonly progressTotal: Gauge<'connector' | 'task' | 'phase' | 'item'>;
  readonly taskThreads: Gauge;
  private readonly progressByTask = new Map<string, TaskProgress>();
  private readonly connectorGauges = new Map<string, { gauge: Gauge; labelNames: string[] }>();
  /** Label sets each task set, per task, so a stopped task's series can be removed. */
  private readonly gaugeSeriesByTask = new Map<
    string,
    Map<string, { gauge: Gauge; labels: Record<string, string> }>
  >();

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
    this.progressDone = new Gauge({
      name: 'sluice_task_progress_done',
      help: 'Items done in a long task phase (e.g. rows of a table in a snapshot)',
      labelNames: ['connector', 'task', 'phase', 'item'],
      registers: [this.registry],
    });
    this.progressTotal = new Gauge({
      name: 'sluice_task_progress_total',
      help: 'Items expected in a long task phase (-1 while unknown)',
      labelNames: ['connector', 'task', 'phase', 'item'],
      registers: [this.registry],
    });
    this.taskThreads = new Gauge({
      name: 'sluice_task_threads',
      help: 'Task threads loaded and ready to run tasks',
      registers: [this.registry],
    });
  }

  /** A task's progress (as it last reported it), for its status. */
  progressOf(connector: string, task: number): TaskProgress | undefined {
    return this.progressByTask.get(`${connector}\u0000${task}`);
  }

  setProgress(connector: string, task: number, progress: TaskProgress | null): void {
    const key = `${connector}\u0000${task}`;
    const labels = { connector, task: String(task) };
    const previous = this.progressByTask.get(key);
    if (previous) {
      for (const item of previous.items) {
        const itemLabels = { ...labels, phase: previous.phase, item: item.name };
        this.progressDone.remove(itemLabels);
        this.progressTotal.remove(itemLabels);
      }
    }
    if (!progress) {
      this.progressByTask.delete(key);
      return;
    }
    this.progressByTask.set(key, progress);
    for (const item of progress.items) {
      const itemLabels = { ...labels, phase: progress.phase, item: item.name };
      this.progressDone.set(itemLabels, item.done);
      this.progressTotal.set(itemLabels, item.total ?? -1);
    }
  }

  /**
   * Sets a connector's own gauge `sluice_connector_<name>`; its label names are fixed by the first
   * call (later calls with other labels are ignored rather than failing the task).
   */
  setConnectorGauge(
    connector: string,
    task: number,
    name: string,
    help: string,
    value: number,
    labels: Readonly<Record<string, string>>,
  ): void {
    const extra = Object.keys(labels).sort();
    let entry = this.connectorGauges.get(name);
    if (!entry) {
      const labelNames = ['connector', 'task', ...extra];
      entry = {
        labelNames,
        gauge: new Gauge({
          name: `sluice_connector_${name}`,
          help,
          labelNames,
          registers: [this.registry],
        }),
      };
      this.connectorGauges.set(name, entry);
    }
    if (entry.labelNames.length !== extra.length + 2 || extra.some((l, i) => entry.labelNames[i + 2] !== l))
      return;
    const series = { ...labels, connector, task: String(task) };
    entry.gauge.set(series, value);
    const taskKey = `${connector}\u0000${task}`;
    let taskSeries = this.gaugeSeriesByTask.get(taskKey);
    if (!taskSeries) this.gaugeSeriesByTask.set(taskKey, (taskSeries = new Map()));
    taskSeries.set(`${name}\u0000${JSON.stringify(series)}`, { gauge: entry.gauge, labels: series });
  }

  /**
   * Drops every series of a deleted connector (its tasks' counters too), as Kafka Connect
   * unregisters a deleted connector's metrics: /metrics keeps no series for what is gone.
   */
  async forgetConnector(connector: string): Promise<void> {
    for (const key of [...this.gaugeSeriesByTask.keys()]) {
      if (key.startsWith(`${connector}\u0000`)) this.forgetTask(connector, Number(key.split('\u0000')[1]));
    }
    for (const object of this.registry.getMetricsAsArray()) {
      const metric = object as unknown as Metric;
      const removed = new Set<string>();
      for (const { labels } of (await metric.get()).values) {
        if (labels['connector'] !== connector) continue;
        // a histogram's bucket, sum and count series are one label set of its own
        const { le: _le, ...own } = labels;
        const key = JSON.stringify(own);
        if (removed.has(key)) continue;
        removed.add(key);
        metric.remove(own);
      }
    }
  }

  /** Drops what a stopped task reported, so /metrics shows no stale progress or gauges. */
  forgetTask(connector: string, task: number): void {
    this.setProgress(connector, task, null);
    const taskKey = `${connector}\u0000${task}`;
    for (const { gauge, labels } of this.gaugeSeriesByTask.get(taskKey)?.values() ?? []) gauge.remove(labels);
    this.gaugeSeriesByTask.delete(taskKey);
  }
}
