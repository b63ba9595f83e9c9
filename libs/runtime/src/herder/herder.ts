import type { IngressRequest, IngressResponse, TaskProgress } from '@sluice/connect-api';

/*
 * The herder owns the connectors of a worker: their configs, their target states and their
 * statuses. The REST API, the YAML reconciler and the CLI talk to it, never to tasks. Shapes match
 * Kafka Connect's REST API so its tooling works unchanged.
 */

/** Runtime states, as Kafka Connect reports them. */
export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED' | 'RESTARTING';
/** What the user asked for. */
export type TargetState = 'STARTED' | 'PAUSED' | 'STOPPED';
export type ConnectorType = 'source' | 'sink' | 'unknown';

export interface StateInfo {
  state: ConnectorState;
  worker_id: string;
  /** Stack trace of the failure, for FAILED. */
  trace?: string;
}

export interface TaskStatus extends StateInfo {
  id: number;
  /** Sluice's addition: a long phase in progress (a snapshot), as the task last reported it. */
  progress?: TaskProgress;
}

/** POST /connectors/{name}/signals: Debezium-style signals for the connector's tasks. */
export interface SignalRequest {
  id?: string;
  type: string;
  data?: Record<string, unknown>;
}

export interface ConnectorStatus {
  name: string;
  connector: StateInfo;
  tasks: TaskStatus[];
  type: ConnectorType;
}

export interface ConnectorTaskId {
  connector: string;
  task: number;
}

export interface ConnectorInfo {
  name: string;
  /** Secrets are replaced by the REST layer, not here. */
  config: Record<string, string>;
  tasks: ConnectorTaskId[];
  type: ConnectorType;
}

export interface TaskInfo {
  id: ConnectorTaskId;
  config: Record<string, string>;
}

/** Kafka Connect's ConfigInfos: the answer of PUT /connector-plugins/{plugin}/config/validate. */
export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: {
    definition: {
      name: string;
      type: string;
      required: boolean;
      default_value: string | null;
      importance: string;
      documentation: string;
      group: string | null;
      width: string;
      display_name: string;
      dependents: string[];
      order: number;
    };
    value: {
      name: string;
      value: string | null;
      recommended_values: string[];
      errors: string[];
      visible: boolean;
    };
  }[];
}

export interface PluginInfo {
  class: string;
  type: 'source' | 'sink' | 'transformation' | 'predicate' | 'converter';
  version: string;
  /** Sluice's short name (connector.class accepts it). */
  name: string;
}

/** Source offsets: partition and offset maps; sink offsets: Kafka topic partition and offset. */
export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

export interface RestartRequest {
  includeTasks: boolean;
  onlyFailed: boolean;
}

export type HerderErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST' | 'UNAVAILABLE' | 'INTERNAL';

/** Errors the REST layer turns into Kafka Connect's {error_code, message} (404, 409, 400, 503, 500). */
export class HerderError extends Error {
  override readonly name = 'HerderError';

  constructor(
    readonly code: HerderErrorCode,
    message: string,
    /** For BAD_REQUEST on configs: every field error. */
    readonly fieldErrors: { field: string; messages: string[] }[] = [],
  ) {
    super(message);
  }

  get httpStatus(): number {
    return { NOT_FOUND: 404, CONFLICT: 409, BAD_REQUEST: 400, UNAVAILABLE: 503, INTERNAL: 500 }[this.code];
  }
}

export interface Herder {
  /** Names of every connector, sorted. */
  connectors(): Promise<string[]>;
  connectorInfo(name: string): Promise<ConnectorInfo>;
  connectorConfig(name: string): Promise<Record<string, string>>;
  connectorStatus(name: string): Promise<ConnectorStatus>;
  taskStatus(name: string, task: number): Promise<TaskStatus>;
  taskConfigs(name: string): Promise<TaskInfo[]>;

  /**
   * Creates a connector that must not exist yet (CONFLICT otherwise), starting in `initialState`
   * (Kafka Connect's initial_state): a PAUSED or STOPPED connector never runs before that.
   */
  createConnector(
    name: string,
    config: Record<string, string>,
    initialState?: TargetState,
  ): Promise<ConnectorInfo>;

  /**
   * Creates or updates a connector. Validates first: a config error is a BAD_REQUEST listing every
   * field error, and the running connector stays untouched.
   */
  putConnectorConfig(
    name: string,
    config: Record<string, string>,
  ): Promise<{ created: boolean; info: ConnectorInfo }>;
  /** Merges `patch` into the current config; null values remove keys. */
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>;
  /**
   * What validating the connector's config found worth a warning but not a refusal (settings
   * nothing reads, most often typos), as sentences naming settings, never values; empty for an
   * unknown connector.
   */
  configWarnings(name: string): string[];
  deleteConnector(name: string): Promise<void>;

  pauseConnector(name: string): Promise<void>;
  resumeConnector(name: string): Promise<void>;
  stopConnector(name: string): Promise<void>;
  restartConnector(name: string, request: RestartRequest): Promise<ConnectorStatus>;
  restartTask(name: string, task: number): Promise<void>;

  /** Topics the connector has used since its topics were last reset. */
  connectorTopics(name: string): Promise<string[]>;
  resetConnectorTopics(name: string): Promise<void>;

  /** Committed offsets; altering and resetting need the connector STOPPED (else BAD_REQUEST, as Kafka Connect answers). */
  connectorOffsets(name: string): Promise<ConnectorOffset[]>;
  /** True when the connector also changed offsets it keeps itself (Kafka Connect's alterOffsets). */
  alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<boolean>;
  resetConnectorOffsets(name: string): Promise<boolean>;

  /**
   * Hands an ingest request (POST /ingest/{name}) to the connector's webhook source task: NOT_FOUND
   * for an unknown connector; a 503 response while no task takes requests.
   */
  ingest(name: string, request: IngressRequest): Promise<IngressResponse>;

  /**
   * Hands a signal to every running task of the connector and resolves with its id once they
   * accepted it: NOT_FOUND for an unknown connector, CONFLICT when no running task takes signals,
   * BAD_REQUEST when a task refuses it (its message says why).
   */
  signalConnector(name: string, signal: SignalRequest): Promise<{ id: string; tasks: number[] }>;

  plugins(options?: { connectorsOnly?: boolean }): Promise<PluginInfo[]>;
  /** The settings of a plugin (by class name or short name). */
  pluginConfig(plugin: string): Promise<ConfigInfos['configs'][number]['definition'][]>;
  validateConnectorConfig(plugin: string, config: Record<string, string>): Promise<ConfigInfos>;
}
