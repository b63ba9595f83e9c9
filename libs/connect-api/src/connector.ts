import type { ConfigClass } from './config-field.js';
import type { ConnectLogger } from './logger.js';
import type { SinkTask } from './sink-task.js';
import type { SourceTask } from './source-task.js';

/** What the runtime gives a connector. */
export interface ConnectorContext {
  readonly name: string;
  readonly logger: ConnectLogger;
  /** The work changed (a new table, a new file): the runtime asks taskConfigs() again. */
  requestTaskReconfiguration(): void;
  /** Fails the connector with this error (it shows as FAILED with the trace). */
  raiseError(error: Error): void;
}

export interface ConfigValidationResult {
  /** Problems beyond the config class's own checks (reachability, permissions): field and messages. */
  errors: { field: string; messages: string[] }[];
}

/**
 * The control plane of a connector: it divides the work into task configs; tasks move the data.
 *
 * Lifecycle: the runtime constructs it, calls start(config) once, taskConfigs(maxTasks) as often
 * as it needs (after start, and after requestTaskReconfiguration), and stop() once. validate() may
 * be called on a fresh instance that is never started. Config values are the raw map (strings,
 * after ${...} providers resolved); parse them with parseConfig(configClass, config).
 */
interface ConnectorBase {
  version(): string;
  /** The config class (a class-validator DTO with @ConfigField settings). */
  configClass(): ConfigClass;
  /** Checks beyond the config class: may reach the external system. Called before start. */
  validate?(
    config: Readonly<Record<string, string>>,
  ): Promise<ConfigValidationResult> | ConfigValidationResult;
  start(config: Readonly<Record<string, string>>, context: ConnectorContext): Promise<void> | void;
  /** At most maxTasks configs; each becomes one task. */
  taskConfigs(maxTasks: number): Promise<Record<string, string>[]> | Record<string, string>[];
  stop(): Promise<void> | void;
  /** Called when the connector is deleted (not on stop or restart): drop external state (a slot). */
  onDelete?(config: Readonly<Record<string, string>>): Promise<void> | void;
}

/** A source offset to set (offset null: remove the partition's offset), as Kafka Connect's REST API takes it. */
export interface SourceOffsetChange {
  readonly partition: Readonly<Record<string, unknown>>;
  readonly offset: Readonly<Record<string, unknown>> | null;
}

/** A sink's next offset for a topic-partition (null: forget it, so consumption starts per its reset policy). */
export interface SinkOffsetChange {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number | null;
}

export interface SourceConnector extends ConnectorBase {
  readonly kind: 'source';
  createTask(): SourceTask;
  /**
   * Kafka Connect's alterOffsets (KIP-875), called on a fresh instance while the connector is
   * STOPPED, before the runtime changes the offsets it keeps (a reset passes every known partition
   * with a null offset). Throw a DataError to refuse offsets this connector could not resume from
   * (nothing is changed then); return true when the connector also changed offsets it keeps itself.
   */
  alterOffsets?(
    config: Readonly<Record<string, string>>,
    offsets: readonly SourceOffsetChange[],
  ): Promise<boolean> | boolean;
}

export interface SinkConnector extends ConnectorBase {
  readonly kind: 'sink';
  createTask(): SinkTask;
  /** As SourceConnector.alterOffsets, for a sink that keeps its own offsets (files, a target table). */
  alterOffsets?(
    config: Readonly<Record<string, string>>,
    offsets: readonly SinkOffsetChange[],
  ): Promise<boolean> | boolean;
}

export type Connector = SourceConnector | SinkConnector;
