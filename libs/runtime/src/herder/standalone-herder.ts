import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  DataError,
  sinkConsumes,
  type ConnectorSignal,
  type IngressRequest,
  type IngressResponse,
  type SinkOffsetChange,
  type SourceOffsetChange,
} from '@sluice/connect-api';
import type { Log, Logger } from '@sluice/log';
import { ConnectorConfigError } from '../config/connector-config-error.js';
import { ProvidedValues } from './provided-values.js';
import { describeUnknown } from '../config/unknown-settings.js';
import { SinkConnectorConfig, SourceConnectorConfig } from '../config/connector-config.js';
import {
  configDefinitions,
  validateConnectorConfig,
  type ConnectorPlugin,
} from '../config/connector-validator.js';
import { DEFAULT_CONVERTERS, type ConverterDefaults } from '../config/converter-factory.js';
import { RuntimeMetrics } from '../metrics/runtime-metrics.js';
import { recoverSourceOffsets } from '../offsets/source-offset-recovery.js';
import { SourceOffsetStore } from '../offsets/source-offset-store.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { StatusStore, type StoredStatus } from '../status/status-store.js';
import { IngressRouter } from '../ingress/ingress-router.js';
import { ThreadTaskRunner } from '../threads/thread-task-runner.js';
import { Worker } from '../worker/worker.js';
import { ConfigStore } from './config-store.js';
import { sinkOffsetChanges } from './sink-offset-change.js';
import {
  HerderError,
  type ConfigInfos,
  type ConnectorInfo,
  type ConnectorOffset,
  type ConnectorState,
  type ConnectorStatus,
  type ConnectorType,
  type Herder,
  type PluginInfo,
  type RestartRequest,
  type SignalRequest,
  type TargetState,
  type TaskInfo,
  type TaskStatus,
} from './herder.js';

/** A task that ran this long before failing gets its full count of automatic restarts again. */
const STABLE_RUN_MS = 60_000;

export interface ConfigResolver {
  /** Applies ${provider:...} references; throws naming the key (never the value) when one fails. */
  resolve(
    config: Readonly<Record<string, string>>,
    onValue?: (reference: string, value: string) => void,
  ): Promise<Record<string, string>>;
  hasReferences(value: string): boolean;
}

const identityResolver: ConfigResolver = {
  resolve: async (config) => ({ ...config }),
  hasReferences: () => false,
};

export interface StandaloneHerderOptions {
  workerId: string;
  log: Log;
  registry: PluginRegistry;
  logger: Logger;
  metrics?: RuntimeMetrics;
  converterDefaults?: ConverterDefaults;
  resolver?: ConfigResolver;
  /** Settings the runtime adds to every connector config, e.g. worker.files.roots. */
  workerSettings?: Record<string, string>;
  /**
   * Values connectors take for settings they leave out or empty, e.g. the worker's
   * producer.compression.type as producer.override.compression.type.
   */
  connectorDefaults?: Record<string, string>;
  /**
   * Run tasks in this many worker threads (0: in the main thread). Task threads load their
   * plugins themselves, from `pluginDirs` and `pluginModules`.
   */
  taskThreads?: number;
  /** How long a task may take to stop before the worker moves on (default 5000). */
  taskShutdownTimeoutMs?: number;
  /**
   * The folder a file reconciler keeps connectors of (connectors.dir, absolute): connectors its
   * files declare are changed through them only (see refuseManaged).
   */
  connectorsDir?: string;
  pluginDirs?: string[];
  pluginModules?: string[];
  logLevel?: string;
}

/**
 * The herder of a standalone worker: one worker runs every connector and task. Configs, target
 * states and task configs persist in __sluice.configs, statuses in __sluice.status and source
 * offsets in __sluice.offsets, so a restarted worker brings every connector back in its last state
 * and resumes from committed offsets. Operations run one at a time.
 */
export class StandaloneHerder implements Herder {
  readonly metrics: RuntimeMetrics;
  private readonly configs: ConfigStore;
  private readonly statuses: StatusStore;
  private readonly offsets: SourceOffsetStore;
  private readonly worker: Worker;
  private readonly ingress: IngressRouter;
  private readonly resolver: ConfigResolver;
  private readonly converterDefaults: ConverterDefaults;
  private ops: Promise<unknown> = Promise.resolve();
  private statusWrites: Promise<unknown> = Promise.resolve();
  private readonly restartAttempts = new Map<string, number>();
  /** Per connector, the warnings of its config as last set (see configWarnings). */
  private readonly warnings = new Map<string, string[]>();
  private readonly runningSince = new Map<string, number>();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly o: StandaloneHerderOptions) {
    this.metrics = o.metrics ?? new RuntimeMetrics();
    this.configs = new ConfigStore(o.log);
    this.statuses = new StatusStore(o.log);
    this.offsets = new SourceOffsetStore(o.log);
    this.resolver = o.resolver ?? identityResolver;
    this.converterDefaults = o.converterDefaults ?? DEFAULT_CONVERTERS;
    this.ingress = new IngressRouter();
    const status = {
      onConnectorState: (name: string, state: ConnectorState, error?: Error) =>
        this.recordState(name, null, state, error),
      onTaskState: (name: string, task: number, state: ConnectorState, error?: Error) =>
        this.recordState(name, task, state, error),
    };
    const onTopicUsed = (connector: string, topic: string): Promise<void> =>
      this.statuses.addTopic(connector, topic);
    this.worker = new Worker({
      workerId: o.workerId,
      runner:
        (o.taskThreads ?? 0) > 0
          ? new ThreadTaskRunner({
              threads: o.taskThreads!,
              log: o.log,
              offsets: this.offsets,
              metrics: this.metrics,
              status,
              converterDefaults: this.converterDefaults,
              pluginDirs: o.pluginDirs ?? [],
              pluginModules: o.pluginModules,
              registry: o.registry,
              logger: o.logger,
              logLevel: o.logLevel ?? 'info',
              onTopicUsed,
              ingress: this.ingress,
            })
          : undefined,
      log: o.log,
      registry: o.registry,
      metrics: this.metrics,
      offsets: this.offsets,
      converterDefaults: this.converterDefaults,
      logger: o.logger,
      onTopicUsed,
      status,
      ingress: this.ingress,
      shutdownTimeoutMs: o.taskShutdownTimeoutMs,
    });
  }

  /** Loads the internal topics and starts every connector in its target state. */
  async start(): Promise<void> {
    await this.configs.open();
    await this.statuses.open();
    await this.offsets.open();
    await this.enqueue(async () => {
      for (const name of this.configs.connectors()) await this.startConnectorAndTasks(name);
    });
    this.worker.warm();
  }

  /**
   * The level of the loggers of tasks running in task threads (a pino level name), for the host to
   * call when its runtime logger's level changes; tasks in this thread follow that logger already.
   */
  setTaskLogLevel(level: string): void {
    this.worker.setTaskLogLevel(level);
  }

  /** Stops every task and connector (configs and offsets stay). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.restartTimers) clearTimeout(t);
    await this.enqueue(() => this.worker.stop());
    await this.statusWrites;
  }

  /**
   * Runs a change after those before it. Once the worker stops, none is taken: one queued behind
   * the stop would store a config or start a connector on a worker whose tasks and log are going.
   */
  private run<T>(op: () => Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(shuttingDown());
    return this.enqueue(op);
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.ops.then(op);
    this.ops = result.catch(() => undefined);
    return result;
  }

  // ---- statuses

  private recordState(name: string, task: number | null, state: ConnectorState, error?: Error): void {
    const status: StoredStatus = { state, worker_id: this.o.workerId, at: Date.now() };
    if (error) status.trace = error.stack ?? `${error.name}: ${error.message}`;
    if (error) {
      this.o.logger.error(
        { err: error, connector: name, task },
        `${task === null ? 'connector' : 'task'} ${name}${task === null ? '' : `-${task}`} failed: ${error.message}`,
      );
    }
    if (task !== null) {
      for (const s of ['RUNNING', 'PAUSED', 'FAILED', 'UNASSIGNED', 'STOPPED', 'RESTARTING'] as const) {
        this.metrics.taskState.set({ connector: name, task: String(task), state: s }, s === state ? 1 : 0);
      }
    }
    this.statusWrites = this.statusWrites
      .then(() =>
        task === null ? this.statuses.putConnector(name, status) : this.statuses.putTask(name, task, status),
      )
      .catch((err: unknown) => this.o.logger.error({ err }, `could not record the status of ${name}`));
    if (task !== null && state === 'FAILED') this.maybeAutoRestart(name, task);
    if (task !== null && state === 'RUNNING') this.runningSince.set(`${name}-${task}`, Date.now());
  }

  private maybeAutoRestart(name: string, task: number): void {
    const config = this.configs.config(name);
    if (!config || config['errors.restart.enable'] !== 'true' || this.stopped) return;
    const key = `${name}-${task}`;
    // a task that ran a good while before failing starts its count of restarts over
    if (Date.now() - (this.runningSince.get(key) ?? 0) >= STABLE_RUN_MS) this.restartAttempts.delete(key);
    const attempt = (this.restartAttempts.get(key) ?? 0) + 1;
    const max = Number(config['errors.restart.max.attempts'] ?? 5);
    if (attempt > max) {
      this.o.logger.warn(
        { connector: name, task },
        `task ${key} failed ${max} times; it stays FAILED until restarted by hand`,
      );
      return;
    }
    this.restartAttempts.set(key, attempt);
    const delay = Number(config['errors.restart.backoff.ms'] ?? 1000) * 2 ** (attempt - 1);
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (this.stopped) return;
      this.o.logger.info(
        { connector: name, task, attempt },
        `restarting failed task ${key} (attempt ${attempt} of ${max})`,
      );
      void this.restartTaskNow(name, task).catch((err: unknown) =>
        this.o.logger.error({ err }, `automatic restart of ${key} failed`),
      );
    }, delay);
    timer.unref();
    this.restartTimers.add(timer);
  }

  // ---- lifecycle

  private plugin(config: Readonly<Record<string, string>>): ConnectorPlugin | null {
    return this.o.registry.findOf(config['connector.class'] ?? '', ['source', 'sink']) ?? null;
  }

  private async resolved(
    config: Readonly<Record<string, string>>,
    onValue?: (reference: string, value: string) => void,
  ): Promise<Record<string, string>> {
    const out = { ...(await this.resolver.resolve(config, onValue)), ...this.o.workerSettings };
    for (const [key, value] of Object.entries(this.o.connectorDefaults ?? {}))
      if (!out[key]) out[key] = value;
    return out;
  }

  /** Starts the connector and its tasks as its target state says. */
  private async startConnectorAndTasks(name: string): Promise<void> {
    const config = this.configs.config(name);
    if (!config) return;
    const target = this.configs.targetState(name);
    if (target === 'STOPPED') {
      this.recordState(name, null, 'STOPPED');
      return;
    }
    const plugin = this.plugin(config);
    if (!plugin) {
      this.recordState(
        name,
        null,
        'FAILED',
        new Error(`connector.class ${config['connector.class']} is not installed on this worker`),
      );
      return;
    }
    let resolved: Record<string, string>;
    try {
      resolved = await this.resolved(config);
    } catch (err) {
      this.recordState(name, null, 'FAILED', err as Error);
      return;
    }
    if (plugin.type === 'source') {
      let recovered: number;
      try {
        recovered = await recoverSourceOffsets(this.o.log, this.offsets, name, this.statuses.topics(name));
      } catch (err) {
        // this connector's trouble: the worker and its other connectors start all the same
        this.recordState(name, null, 'FAILED', err as Error);
        return;
      }
      if (recovered > 0) {
        this.o.logger.info(
          { connector: name, partitions: recovered },
          `recovered the offsets of ${recovered} source partitions from records written after the last commit`,
        );
      }
    }
    const started = await this.worker.startConnector(
      name,
      plugin,
      resolved,
      target,
      () => void this.reconfigureTasks(name),
    );
    if (!started) return;
    let taskConfigs: Record<string, string>[];
    try {
      taskConfigs = await this.worker.taskConfigs(name);
    } catch (err) {
      this.recordState(name, null, 'FAILED', err as Error);
      return;
    }
    await this.replaceTaskConfigs(name, config, resolved, taskConfigs);
    for (let t = 0; t < taskConfigs.length; t++) await this.startTask(name, t, plugin, resolved, target);
  }

  private async startTask(
    name: string,
    task: number,
    plugin: ConnectorPlugin,
    resolved: Record<string, string>,
    target: TargetState,
  ): Promise<void> {
    const stored = this.configs.taskConfigs(name)[task];
    if (!stored) return;
    let taskConfig: Record<string, string>;
    try {
      taskConfig = { ...(await this.resolver.resolve(stored)), ...this.o.workerSettings };
    } catch (err) {
      this.recordState(name, task, 'FAILED', err as Error);
      return;
    }
    await this.worker.startTask({ connector: name, task }, plugin, resolved, taskConfig, target);
  }

  /**
   * Persists task configs with the connector's ${...} references put back where a task value is
   * a resolved one (Kafka Connect's reverse transform), so resolved secrets never reach the log.
   */
  private async replaceTaskConfigs(
    name: string,
    raw: Record<string, string>,
    resolved: Record<string, string>,
    taskConfigs: Record<string, string>[],
  ): Promise<void> {
    const references = Object.entries(raw).filter(([, v]) => this.resolver.hasReferences(v));
    const stored = taskConfigs.map((tc) => {
      const out = { ...tc };
      for (const [key, rawValue] of references)
        if (out[key] !== undefined && out[key] === resolved[key]) out[key] = rawValue;
      for (const key of Object.keys(this.o.workerSettings ?? {})) delete out[key];
      return out;
    });
    const previous = this.configs.taskConfigs(name).length;
    await this.configs.putTaskConfigs(name, stored);
    for (let t = stored.length; t < previous; t++) await this.statuses.deleteTask(name, t);
  }

  private async stopConnectorAndTasks(name: string): Promise<void> {
    await Promise.all(
      this.worker.taskIds(name).map((task) => this.worker.stopTask({ connector: name, task })),
    );
    await this.worker.stopConnector(name);
  }

  private async reconfigureTasks(name: string): Promise<void> {
    // a connector asking during the shutdown finds itself stopped: nothing to refuse
    await this.enqueue(async () => {
      if (!this.worker.isRunning(name)) return;
      const config = this.configs.config(name)!;
      const plugin = this.plugin(config)!;
      const resolved = await this.resolved(config);
      const taskConfigs = await this.worker.taskConfigs(name);
      await Promise.all(
        this.worker.taskIds(name).map((task) => this.worker.stopTask({ connector: name, task })),
      );
      await this.replaceTaskConfigs(name, config, resolved, taskConfigs);
      const target = this.configs.targetState(name);
      for (let t = 0; t < taskConfigs.length; t++) await this.startTask(name, t, plugin, resolved, target);
    });
  }

  // ---- Herder API

  private require(name: string): Record<string, string> {
    const config = this.configs.config(name);
    if (!config) throw new HerderError('NOT_FOUND', `Connector ${name} not found`);
    return config;
  }

  async connectors(): Promise<string[]> {
    return this.configs.connectors();
  }

  /** Connectors created from config files, with the file and the config as written. */
  async managedConnectors(): Promise<{ name: string; file: string; config: Record<string, string> }[]> {
    return this.configs
      .connectors()
      .map((name) => ({ name, file: this.configs.origin(name), config: this.configs.config(name)! }))
      .filter(
        (c): c is { name: string; file: string; config: Record<string, string> } => c.file !== undefined,
      );
  }

  private typeOf(config: Readonly<Record<string, string>>): ConnectorType {
    return this.plugin(config)?.type ?? 'unknown';
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    const config = this.require(name);
    return {
      name,
      config: { ...config },
      tasks: this.configs.taskConfigs(name).map((_, task) => ({ connector: name, task })),
      type: this.typeOf(config),
    };
  }

  async connectorConfig(name: string): Promise<Record<string, string>> {
    return { ...this.require(name) };
  }

  async connectorStatus(name: string): Promise<ConnectorStatus> {
    const config = this.require(name);
    const connector = this.statuses.connector(name);
    const tasks = this.configs.taskConfigs(name).map((_, id) => this.taskStatusOf(name, id));
    return {
      name,
      connector: connector
        ? {
            state: connector.state,
            worker_id: connector.worker_id,
            ...(connector.trace ? { trace: connector.trace } : {}),
          }
        : { state: 'UNASSIGNED', worker_id: this.o.workerId },
      tasks,
      type: this.typeOf(config),
    };
  }

  private taskStatusOf(name: string, id: number): TaskStatus {
    const s = this.statuses.task(name, id);
    if (!s) return { id, state: 'UNASSIGNED', worker_id: this.o.workerId };
    const progress = s.state === 'RUNNING' ? this.metrics.progressOf(name, id) : undefined;
    return {
      id,
      state: s.state,
      worker_id: s.worker_id,
      ...(s.trace ? { trace: s.trace } : {}),
      ...(progress ? { progress } : {}),
    };
  }

  async taskStatus(name: string, task: number): Promise<TaskStatus> {
    this.require(name);
    if (task < 0 || task >= this.configs.taskConfigs(name).length) {
      throw new HerderError('NOT_FOUND', `Task ${name}-${task} not found`);
    }
    return this.taskStatusOf(name, task);
  }

  async taskConfigs(name: string): Promise<TaskInfo[]> {
    this.require(name);
    return this.configs
      .taskConfigs(name)
      .map((config, task) => ({ id: { connector: name, task }, config: { ...config } }));
  }

  /** A config to validate, resolved, and the values its references gave (for hiding them in messages). */
  private async resolvedToValidate(
    config: Readonly<Record<string, string>>,
  ): Promise<{ resolved: Record<string, string>; provided: ProvidedValues }> {
    const provided = new ProvidedValues();
    try {
      return { resolved: await this.resolved(config, provided.add), provided };
    } catch (err) {
      throw new HerderError('BAD_REQUEST', (err as Error).message);
    }
  }

  /** Validates a config about to be set; resolves with its warnings (also logged). */
  private async validateForPut(config: Record<string, string>): Promise<string[]> {
    const { resolved, provided } = await this.resolvedToValidate(config);
    const outcome = await validateConnectorConfig(this.o.registry, resolved, this.converterDefaults);
    if (outcome.errors.length > 0) {
      const errors = provided.hiddenInErrors(outcome.errors);
      throw new HerderError('BAD_REQUEST', new ConnectorConfigError(errors).message, errors);
    }
    if (outcome.unknown.length === 0) return [];
    const warning = `connector ${config['name']}: settings that neither ${outcome.plugin?.name} nor the runtime reads, so they change nothing: ${describeUnknown(outcome.unknown)}`;
    this.o.logger.warn({ connector: config['name'], settings: outcome.unknown.map((u) => u.key) }, warning);
    return [warning];
  }

  configWarnings(name: string): string[] {
    return [...(this.warnings.get(name) ?? [])];
  }

  /**
   * `origin` marks a connector as managed by a config file (its path): such connectors are the
   * file reconciler's (see managedConnectors), and a caller without the origin (REST) may not
   * change them (see refuseManaged).
   */
  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    origin?: string,
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    return this.run(() => this.putConfigNow(name, config, origin));
  }

  /**
   * Throws what putConnectorConfig would throw for `config`'s name and settings (HerderError with
   * its field errors), without setting anything: a config file that renames its connector is
   * checked before the old connector is deleted.
   */
  async checkConnectorConfig(name: string, config: Record<string, string>): Promise<void> {
    refuseBadName(name, config);
    await this.validateForPut({ ...config, name });
  }

  /** putConnectorConfig's work, inside the queue of changes (run()). */
  private async putConfigNow(
    name: string,
    config: Record<string, string>,
    origin?: string,
  ): Promise<{ created: boolean; info: ConnectorInfo }> {
    refuseBadName(name, config);
    const full = { ...config, name };
    const current = this.configs.config(name);
    if (origin === undefined && this.declaringFile(name) !== undefined) {
      // the file's own config sent back (`sluice connectors apply -f` of that file) changes nothing
      if (current && sameSettings(current, full))
        return { created: false, info: await this.connectorInfo(name) };
      this.refuseManaged(name, 'update');
    }
    const warnings = await this.validateForPut(full);
    const existed = current !== undefined;
    if (origin !== undefined && existed && this.configs.origin(name) === undefined)
      this.o.logger.warn(
        { connector: name, file: origin },
        `connector ${name}, created over REST, is now declared in ${origin}: the file's config replaces its own`,
      );
    if (existed) await this.stopConnectorAndTasks(name);
    await this.configs.putConfig(name, full);
    this.warnings.set(name, warnings);
    await this.configs.putOrigin(name, origin);
    if (!existed) await this.configs.putTargetState(name, 'STARTED');
    await this.startConnectorAndTasks(name);
    return { created: !existed, info: await this.connectorInfo(name) };
  }

  createConnector(
    name: string,
    config: Record<string, string>,
    initialState: TargetState = 'STARTED',
  ): Promise<ConnectorInfo> {
    return this.run(async () => {
      if (this.configs.config(name) !== undefined)
        throw new HerderError('CONFLICT', `Connector ${name} already exists`);
      refuseBadName(name, config);
      const full = { ...config, name };
      const warnings = await this.validateForPut(full);
      await this.configs.putConfig(name, full);
      this.warnings.set(name, warnings);
      await this.configs.putTargetState(name, initialState);
      await this.startConnectorAndTasks(name);
      return this.connectorInfo(name);
    });
  }

  /** Merged with the config as it is when its turn comes, so concurrent patches all apply. */
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    return this.run(async () => {
      const merged: Record<string, string> = { ...this.require(name) };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      return (await this.putConfigNow(name, merged)).info;
    });
  }

  /**
   * `fromFile`: the file reconciler deletes the connector that file declared, now gone (see
   * refuseManaged); a connector of that name that is not that file's any more is left alone.
   */
  deleteConnector(name: string, fromFile?: string): Promise<void> {
    return this.run(async () => {
      if (fromFile !== undefined && this.configs.origin(name) !== fromFile) return;
      const config = this.require(name);
      if (fromFile === undefined) this.refuseManaged(name, 'delete');
      const tasks = this.configs.taskConfigs(name).length;
      await this.stopConnectorAndTasks(name);
      const plugin = this.plugin(config);
      if (plugin) {
        try {
          await plugin.create().onDelete?.(await this.resolved(config));
        } catch (err) {
          this.o.logger.warn(
            { err, connector: name },
            `connector ${name} failed to clean up on delete: ${(err as Error).message}`,
          );
        }
      }
      await this.configs.delete(name);
      this.warnings.delete(name);
      await this.statusWrites;
      await this.statuses.deleteConnector(name, tasks);
      await this.metrics.forgetConnector(name);
    });
  }

  /**
   * A connector declared in a config file is changed through its file: a change made over REST
   * would be undone when the file is next read (at the latest, at the next start), as Conduit
   * treats its provisioned pipelines. Pausing, stopping and restarting stay open to REST.
   */
  private refuseManaged(name: string, change: 'update' | 'delete'): void {
    const file = this.declaringFile(name);
    if (file === undefined) return;
    throw new HerderError(
      'CONFLICT',
      change === 'update'
        ? `Connector ${name} is declared in ${file}: edit that file to change it (a change made here would be undone when the file is next read)`
        : `Connector ${name} is declared in ${file}: remove that file to delete it (deleted here, it would be created again when the file is next read)`,
    );
  }

  /**
   * The file that declares connector `name` and that the reconciler reads: not a file of another
   * folder (connectors.dir changed), nor one removed while its removal waits for the next pass.
   */
  private declaringFile(name: string): string | undefined {
    const file = this.configs.origin(name);
    const dir = this.o.connectorsDir;
    if (file === undefined || dir === undefined || path.dirname(file) !== dir || !fs.existsSync(file))
      return undefined;
    return file;
  }

  private setTarget(name: string, target: TargetState): Promise<void> {
    return this.run(async () => {
      this.require(name);
      const previous = this.configs.targetState(name);
      if (previous === target) return;
      await this.configs.putTargetState(name, target);
      if (target === 'STOPPED') {
        await this.stopConnectorAndTasks(name);
        // a stopped connector has no tasks (Kafka Connect's STOPPED state)
        await this.replaceTaskConfigs(name, {}, {}, []);
        this.recordState(name, null, 'STOPPED');
      } else if (previous === 'STOPPED') {
        await this.startConnectorAndTasks(name);
      } else {
        this.worker.setTargetState(name, target);
      }
    });
  }

  pauseConnector(name: string): Promise<void> {
    return this.setTarget(name, 'PAUSED');
  }

  resumeConnector(name: string): Promise<void> {
    return this.setTarget(name, 'STARTED');
  }

  stopConnector(name: string): Promise<void> {
    return this.setTarget(name, 'STOPPED');
  }

  async restartConnector(name: string, request: RestartRequest): Promise<ConnectorStatus> {
    if (this.stopped) throw shuttingDown();
    const before = await this.connectorStatus(name);
    // a STOPPED connector has nothing to restart until it is resumed
    if (this.configs.targetState(name) === 'STOPPED') return before;
    const restartConnector = !request.onlyFailed || before.connector.state === 'FAILED';
    const tasks = request.includeTasks
      ? before.tasks.filter((t) => !request.onlyFailed || t.state === 'FAILED').map((t) => t.id)
      : [];
    const plan: ConnectorStatus = {
      ...before,
      connector: restartConnector ? { ...before.connector, state: 'RESTARTING' } : before.connector,
      tasks: before.tasks.map((t) => (tasks.includes(t.id) ? { ...t, state: 'RESTARTING' } : t)),
    };
    void this.enqueue(async () => {
      if (this.stopped) return;
      if (!this.configs.config(name) || this.configs.targetState(name) === 'STOPPED') return;
      if (restartConnector) {
        this.recordState(name, null, 'RESTARTING');
        await this.worker.stopConnector(name);
        const config = this.configs.config(name)!;
        const plugin = this.plugin(config);
        if (plugin) {
          let resolved: Record<string, string>;
          try {
            resolved = await this.resolved(config);
          } catch (err) {
            // a reference that no longer resolves (a secret file gone): say so, not RESTARTING for good
            this.recordState(name, null, 'FAILED', err as Error);
            await this.failTasks(name, tasks, err as Error);
            return;
          }
          await this.worker.startConnector(
            name,
            plugin,
            resolved,
            this.configs.targetState(name),
            () => void this.reconfigureTasks(name),
          );
        }
      }
      await this.restartTasks(name, tasks);
    }).catch((err: unknown) => this.o.logger.error({ err, connector: name }, `restart of ${name} failed`));
    return plan;
  }

  private async restartTasks(name: string, tasks: number[]): Promise<void> {
    const config = this.configs.config(name);
    if (!config) return;
    const plugin = this.plugin(config);
    if (!plugin) return;
    let resolved: Record<string, string>;
    try {
      resolved = await this.resolved(config);
    } catch (err) {
      await this.failTasks(name, tasks, err as Error);
      throw new HerderError('BAD_REQUEST', `cannot restart ${name}: ${(err as Error).message}`);
    }
    for (const task of tasks) {
      this.recordState(name, task, 'RESTARTING');
      await this.worker.stopTask({ connector: name, task });
      await this.startTask(name, task, plugin, resolved, this.configs.targetState(name));
    }
  }

  /** Stops tasks that cannot be restarted and shows them FAILED: a FAILED task runs no more. */
  private async failTasks(name: string, tasks: readonly number[], error: Error): Promise<void> {
    for (const task of tasks) {
      await this.worker.stopTask({ connector: name, task });
      this.recordState(name, task, 'FAILED', error);
    }
  }

  /** A restart asked for by hand: the automatic restarts count starts over. */
  restartTask(name: string, task: number): Promise<void> {
    this.restartAttempts.delete(`${name}-${task}`);
    return this.restartTaskNow(name, task);
  }

  private restartTaskNow(name: string, task: number): Promise<void> {
    return this.run(async () => {
      this.require(name);
      if (task < 0 || task >= this.configs.taskConfigs(name).length) {
        throw new HerderError('NOT_FOUND', `Task ${name}-${task} not found`);
      }
      await this.restartTasks(name, [task]);
    });
  }

  async connectorTopics(name: string): Promise<string[]> {
    this.require(name);
    return this.statuses.topics(name);
  }

  async resetConnectorTopics(name: string): Promise<void> {
    this.require(name);
    await this.statuses.resetTopics(name);
  }

  async connectorOffsets(name: string): Promise<ConnectorOffset[]> {
    const config = this.require(name);
    if (this.typeOf(config) === 'sink') {
      const committed = await this.o.log.coordinator.fetchOffsets(`connect-${name}`);
      return committed.map((c) => ({
        partition: { kafka_topic: c.topic, kafka_partition: c.partition },
        offset: { kafka_offset: c.offset },
      }));
    }
    return this.offsets.offsets(name).map(({ partition, offset }) => ({ partition, offset }));
  }

  private requireStopped(name: string): Record<string, string> {
    const config = this.require(name);
    if (this.configs.targetState(name) !== 'STOPPED') {
      throw new HerderError(
        'BAD_REQUEST',
        `Connectors must be in the STOPPED state before their offsets can be modified; connector ${name} is not`,
      );
    }
    return config;
  }

  alterConnectorOffsets(name: string, offsets: ConnectorOffset[]): Promise<boolean> {
    return this.run(async () => {
      const config = this.requireStopped(name);
      if (this.typeOf(config) === 'sink') {
        const changes = sinkOffsetChanges(offsets);
        const external = await this.connectorAltersOffsets(config, changes);
        const groupId = `connect-${name}`;
        const commits = changes.flatMap((c) =>
          c.offset === null ? [] : [{ topic: c.topic, partition: c.partition, offset: c.offset }],
        );
        const deletes = changes
          .filter((c) => c.offset === null)
          .map(({ topic, partition }) => ({ topic, partition }));
        if (commits.length > 0)
          await this.o.log.coordinator.commitOffsets({ groupId, generationId: -1, memberId: '' }, commits);
        if (deletes.length > 0) await this.o.log.coordinator.deleteOffsets(groupId, deletes);
        return external;
      }
      for (const o of offsets) {
        if (!o.partition || typeof o.partition !== 'object')
          throw new HerderError('BAD_REQUEST', 'each offset needs a partition object');
      }
      const changes = offsets.map((o) => ({ partition: o.partition, offset: o.offset }));
      const external = await this.connectorAltersOffsets(config, changes);
      await this.offsets.write(name, changes);
      return external;
    });
  }

  resetConnectorOffsets(name: string): Promise<boolean> {
    return this.run(async () => {
      const config = this.requireStopped(name);
      if (this.typeOf(config) === 'sink') {
        const groupId = `connect-${name}`;
        const committed = await this.o.log.coordinator.fetchOffsets(groupId);
        const external = await this.connectorAltersOffsets(
          config,
          await this.sinkPartitions(config, committed),
        );
        if (committed.length > 0) await this.o.log.coordinator.deleteOffsets(groupId);
        return external;
      }
      const external = await this.connectorAltersOffsets(
        config,
        this.offsets.offsets(name).map(({ partition }) => ({ partition, offset: null })),
      );
      await this.offsets.reset(name);
      return external;
    });
  }

  /**
   * What a sink's reset clears, as null offsets: the partitions its group committed, and every
   * partition of the topics it consumes now, since a connector keeping offsets of its own may
   * hold some for a topic whose group offsets were forgotten (the topic deleted and created again).
   */
  private async sinkPartitions(
    config: Readonly<Record<string, string>>,
    committed: readonly { topic: string; partition: number }[],
  ): Promise<SinkOffsetChange[]> {
    const all = new Map<string, SinkOffsetChange>();
    const add = (topic: string, partition: number): void =>
      void all.set(`${topic}\u0000${partition}`, { topic, partition, offset: null });
    for (const c of committed) add(c.topic, c.partition);
    const consumes = sinkConsumes(config);
    for (const topic of await this.o.log.admin().listTopics()) {
      if (!consumes(topic)) continue;
      const count = this.o.log.storage.partitionCount(topic) ?? 0;
      for (let p = 0; p < count; p++) add(topic, p);
    }
    return [...all.values()];
  }

  /**
   * The connector's own say on new offsets (Kafka Connect's alterOffsets), asked before the
   * runtime changes its own: a DataError refuses them with a 400 and nothing changes.
   */
  private async connectorAltersOffsets(
    config: Readonly<Record<string, string>>,
    changes: SinkOffsetChange[] | SourceOffsetChange[],
  ): Promise<boolean> {
    const plugin = this.plugin(config);
    if (!plugin) return false;
    const connector = plugin.create();
    try {
      return connector.kind === 'sink'
        ? ((await connector.alterOffsets?.(await this.resolved(config), changes as SinkOffsetChange[])) ??
            false)
        : ((await connector.alterOffsets?.(await this.resolved(config), changes as SourceOffsetChange[])) ??
            false);
    } catch (err) {
      if (err instanceof DataError) throw new HerderError('BAD_REQUEST', err.message);
      throw err;
    }
  }

  async ingest(name: string, request: IngressRequest): Promise<IngressResponse> {
    // a sink never takes webhooks: a 404 a sender does not retry, not the 503 of a source
    // that takes none for now
    if (this.typeOf(this.require(name)) === 'sink')
      throw new HerderError('NOT_FOUND', `Connector ${name} is a sink: it takes no webhooks`);
    return this.ingress.route(name, request);
  }

  async signalConnector(name: string, request: SignalRequest): Promise<{ id: string; tasks: number[] }> {
    this.require(name);
    const signal: ConnectorSignal = {
      id: request.id ?? randomUUID(),
      type: request.type,
      data: request.data ?? {},
    };
    let tasks: number[];
    try {
      tasks = await this.worker.signalConnector(name, signal);
    } catch (err) {
      // a task refusing a signal throws DataError (by name: from task threads it comes revived as Error)
      if ((err as Error).name === 'DataError') throw new HerderError('BAD_REQUEST', (err as Error).message);
      throw err;
    }
    if (tasks.length === 0)
      throw new HerderError(
        'CONFLICT',
        `Connector ${name} has no running task that takes signals (is it a source that supports them, and RUNNING?)`,
      );
    this.o.logger.info(
      { connector: name, signal: signal.id, type: signal.type },
      `signal ${signal.type} sent to ${name}`,
    );
    return { id: signal.id, tasks };
  }

  async plugins(options: { connectorsOnly?: boolean } = {}): Promise<PluginInfo[]> {
    const types = options.connectorsOnly === false ? undefined : (['source', 'sink'] as const);
    return this.o.registry
      .list(types ? [...types] : undefined)
      .map((d) => ({ class: d.className, type: d.type, version: d.version, name: d.name }));
  }

  async pluginConfig(plugin: string): Promise<ConfigInfos['configs'][number]['definition'][]> {
    const d = this.o.registry.find(plugin);
    if (!d) throw new HerderError('NOT_FOUND', `Unknown plugin ${plugin}`);
    const instance = d.create() as { configClass?(): new () => object };
    if (typeof instance.configClass !== 'function') return [];
    const common =
      d.type === 'sink' ? SinkConnectorConfig : d.type === 'source' ? SourceConnectorConfig : undefined;
    return configDefinitions(
      d.type === 'source' || d.type === 'sink' ? [common, instance.configClass()] : [instance.configClass()],
    );
  }

  async validateConnectorConfig(plugin: string, config: Record<string, string>): Promise<ConfigInfos> {
    const d = this.o.registry.findOf(plugin, ['source', 'sink']);
    if (!d) throw new HerderError('NOT_FOUND', `Unknown connector plugin ${plugin}`);
    const full = { ...config, 'connector.class': config['connector.class'] ?? plugin };
    const { resolved, provided } = await this.resolvedToValidate(full);
    // values as the caller wrote them, and messages without what the references gave
    const { infos } = await validateConnectorConfig(this.o.registry, resolved, this.converterDefaults, full);
    for (const c of infos.configs) c.value.errors = c.value.errors.map(provided.hidden);
    return infos;
  }
}

function shuttingDown(): HerderError {
  return new HerderError('UNAVAILABLE', 'the worker is shutting down; retry once it is back');
}

/**
 * As Kafka Connect: a name must say something, hold no control characters (logs, URLs), and be
 * the one the config itself gives, if it gives one.
 */
function refuseBadName(name: string, config: Readonly<Record<string, string>>): void {
  if (name.trim() === '') throw new HerderError('BAD_REQUEST', 'Connector name cannot be empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name))
    throw new HerderError('BAD_REQUEST', 'Connector name contains ISO control characters');
  if (config['name'] !== undefined && config['name'] !== name)
    throw new HerderError(
      'BAD_REQUEST',
      `Connector name configuration (${config['name']}) doesn't match connector name in the URL (${name})`,
    );
}

function sameSettings(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}
