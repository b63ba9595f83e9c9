import type { TaskProgress } from '@sluice/connect-api';
import type { ErrorStage } from '../errors/error-stage.js';
import type { RuntimeMetrics } from './runtime-metrics.js';

/**
 * What a task reports, with its connector and task bound. Tasks in the main thread write to the
 * worker's RuntimeMetrics directly; tasks in task threads send the same calls over (see threads/).
 */
export interface TaskMetrics {
  sourceRecordsPolled(n: number): void;
  sourceRecordsWritten(n: number): void;
  sinkRecordsRead(n: number): void;
  sinkRecordsPut(n: number): void;
  recordError(stage: ErrorStage): void;
  recordSkipped(): void;
  deadLetterRecord(): void;
  offsetCommitSeconds(seconds: number): void;
  sinkLag(topic: string, partition: number, lag: number): void;
  /** What the task reports through its context's TaskReporter. */
  taskProgress(progress: TaskProgress | null): void;
  connectorGauge(name: string, help: string, value: number, labels: Record<string, string>): void;
  /** The task stopped: its progress and gauges go. */
  taskStopped(): void;
}

export type TaskMetricCall = {
  [K in keyof TaskMetrics]: { method: K; args: Parameters<TaskMetrics[K]> };
}[keyof TaskMetrics];

/** TaskMetrics over the worker's Prometheus metrics. */
export class RegistryTaskMetrics implements TaskMetrics {
  private readonly labels: { connector: string; task: string };

  constructor(
    private readonly metrics: RuntimeMetrics,
    private readonly connector: string,
    private readonly task: number,
  ) {
    this.labels = { connector, task: String(task) };
  }

  sourceRecordsPolled(n: number): void {
    this.metrics.sourceRecordsPolled.inc(this.labels, n);
  }

  sourceRecordsWritten(n: number): void {
    this.metrics.sourceRecordsWritten.inc(this.labels, n);
  }

  sinkRecordsRead(n: number): void {
    this.metrics.sinkRecordsRead.inc(this.labels, n);
  }

  sinkRecordsPut(n: number): void {
    this.metrics.sinkRecordsPut.inc(this.labels, n);
  }

  recordError(stage: ErrorStage): void {
    this.metrics.recordErrors.inc({ ...this.labels, stage });
  }

  recordSkipped(): void {
    this.metrics.recordsSkipped.inc(this.labels);
  }

  deadLetterRecord(): void {
    this.metrics.deadLetterRecords.inc(this.labels);
  }

  offsetCommitSeconds(seconds: number): void {
    this.metrics.offsetCommitSeconds.observe(this.labels, seconds);
  }

  sinkLag(topic: string, partition: number, lag: number): void {
    this.metrics.sinkLag.set({ ...this.labels, topic, partition: String(partition) }, lag);
  }

  taskProgress(progress: TaskProgress | null): void {
    this.metrics.setProgress(this.connector, this.task, progress);
  }

  connectorGauge(name: string, help: string, value: number, labels: Record<string, string>): void {
    this.metrics.setConnectorGauge(this.connector, this.task, name, help, value, labels);
  }

  taskStopped(): void {
    this.metrics.forgetTask(this.connector, this.task);
  }

  /** Applies a call recorded elsewhere (a task thread). */
  apply(call: TaskMetricCall): void {
    (this[call.method] as (...args: unknown[]) => void)(...call.args);
  }
}
