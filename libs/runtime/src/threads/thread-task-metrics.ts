import type { TaskProgress } from '@sluice/connect-api';
import type { ErrorStage } from '../errors/error-stage.js';
import type { TaskMetricCall, TaskMetrics } from '../metrics/task-metrics.js';

/** Records a task thread's metric calls for the main thread, which applies them to /metrics. */
export class ThreadTaskMetrics implements TaskMetrics {
  private calls: TaskMetricCall[] = [];

  take(): TaskMetricCall[] {
    const calls = this.calls;
    this.calls = [];
    return calls;
  }

  private push(call: TaskMetricCall): void {
    this.calls.push(call);
  }

  sourceRecordsPolled(n: number): void {
    this.push({ method: 'sourceRecordsPolled', args: [n] });
  }

  sourceRecordsWritten(n: number): void {
    this.push({ method: 'sourceRecordsWritten', args: [n] });
  }

  sinkRecordsRead(n: number): void {
    this.push({ method: 'sinkRecordsRead', args: [n] });
  }

  sinkRecordsPut(n: number): void {
    this.push({ method: 'sinkRecordsPut', args: [n] });
  }

  recordError(stage: ErrorStage): void {
    this.push({ method: 'recordError', args: [stage] });
  }

  recordSkipped(): void {
    this.push({ method: 'recordSkipped', args: [] });
  }

  deadLetterRecord(): void {
    this.push({ method: 'deadLetterRecord', args: [] });
  }

  offsetCommitSeconds(seconds: number): void {
    this.push({ method: 'offsetCommitSeconds', args: [seconds] });
  }

  sinkLag(topic: string, partition: number, lag: number): void {
    this.push({ method: 'sinkLag', args: [topic, partition, lag] });
  }

  taskProgress(progress: TaskProgress | null): void {
    this.push({ method: 'taskProgress', args: [progress] });
  }

  connectorGauge(name: string, help: string, value: number, labels: Record<string, string>): void {
    this.push({ method: 'connectorGauge', args: [name, help, value, labels] });
  }

  taskStopped(): void {
    this.push({ method: 'taskStopped', args: [] });
  }
}
