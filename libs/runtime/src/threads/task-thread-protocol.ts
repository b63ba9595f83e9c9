import type { ConverterDefaults } from '../config/converter-factory.js';
import type { ConnectorState, TargetState } from '../herder/herder.js';
import type { TaskMetricCall } from '../metrics/task-metrics.js';
import type { PluginModuleRef } from '../plugins/plugin-registry.js';
import type { TaskId } from '../worker/task-status.js';
import type { SerializedError } from './rpc-channel.js';

/** What a task thread is told when it starts. */
export interface TaskThreadData {
  /** Folders searched for connector packages, as the main thread does. */
  pluginDirs: string[];
  /** Further modules (URLs) that export `plugins`, e.g. plugins a test registers by hand. */
  pluginModules: string[];
  converterDefaults: ConverterDefaults;
  logLevel: string;
}

/** Everything a task thread needs to run one task. */
export interface TaskStartSpec {
  id: TaskId;
  /** The connector plugin's class name. */
  plugin: string;
  /** The packages providing the plugins the task's config names, to import before any other. */
  packages: PluginModuleRef[];
  connectorConfig: Record<string, string>;
  taskConfig: Record<string, string>;
  target: TargetState;
  /** The connector's committed source offsets and this task's positions, for sources. */
  offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> }[];
  positions: Record<string, number>;
}

export interface TaskStateEvent {
  id: TaskId;
  state: ConnectorState;
  error?: SerializedError;
}

export interface TaskMetricsEvent {
  id: TaskId;
  calls: TaskMetricCall[];
}
