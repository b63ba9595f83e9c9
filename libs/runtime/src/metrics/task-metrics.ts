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
}

export type TaskMetricCall = {
  [K in keyof TaskMetrics]: { method: K; args: Parameters<TaskMetrics[K]> };
}[keyof TaskMetrics];

/** TaskMetrics over the worker's Prometheus metrics. */
export class RegistryTaskMetrics implements TaskMetrics {
  private readonly labels: { connector: string; task: string };

  constructor(
    private readonly metrics: RuntimeMetrics,
    connector: string,
    task: number,
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

  /** Applies a call recorded elsewhere (a task thread). */
  apply(call: TaskMetricCall): void {
    (this[call.method] as (...args: unknown[]) => void)(...call.args);
  }
}
