import type { TaskProgress, TaskReporter } from '@sluice/connect-api';
import type { TaskMetrics } from './task-metrics.js';

const GAUGE_NAME = /^[a-z][a-z0-9_]*$/;

/** The TaskReporter a task gets in its context, over its TaskMetrics. */
export function taskReporter(metrics: TaskMetrics): TaskReporter {
  return {
    progress(progress: TaskProgress | null): void {
      // a copy: the task may keep mutating its own object, and task threads send it on later
      metrics.taskProgress(
        progress && {
          phase: progress.phase,
          items: progress.items.map(({ name, done, total }) => ({ name, done, total })),
        },
      );
    },
    gauge(name, help, value, labels = {}): void {
      if (!GAUGE_NAME.test(name))
        throw new Error(`gauge name ${JSON.stringify(name)} is not lower snake case`);
      for (const label of Object.keys(labels)) {
        if (!GAUGE_NAME.test(label) || label === 'connector' || label === 'task')
          throw new Error(`gauge ${name}: label name ${JSON.stringify(label)} is not allowed`);
      }
      metrics.connectorGauge(name, help, value, { ...labels });
    },
  };
}
