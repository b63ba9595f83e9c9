import path from 'node:path';
import { ConnectorReconciler, type WorkerConfig } from '@sluice/config';
import { Log, type Logger } from '@sluice/log';
import {
  ConnectorConfigError,
  HerderError,
  type ConverterDefaults,
  type PluginRegistry,
  StandaloneHerder,
} from '@sluice/runtime';
import { connectorConfigResolver } from './connector-config-resolver.js';
import { loadPluginRegistry, pluginSearchDirs } from './plugin-registry.factory.js';

/** worker.yaml's converters section as the runtime's defaults: every value as a string. */
export function converterDefaultsOf(config: WorkerConfig): ConverterDefaults {
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.converters)) {
    if (value !== undefined && value !== null) settings[key] = String(value);
  }
  return {
    ...settings,
    'key.converter': config.converters['key.converter'],
    'value.converter': config.converters['value.converter'],
  };
}

/**
 * Everything a standalone worker runs besides its HTTP server: the log, the plugins, the herder
 * and the connectors-folder reconciler. Started before the server, stopped after it.
 */
export class WorkerRuntime {
  private reconciler: ConnectorReconciler | null = null;

  private constructor(
    readonly config: WorkerConfig,
    readonly log: Log,
    readonly registry: PluginRegistry,
    readonly herder: StandaloneHerder,
    private readonly logger: Logger,
  ) {}

  static async start(config: WorkerConfig, logger: Logger, logLogger: Logger): Promise<WorkerRuntime> {
    const log = await Log.openEmbedded({
      dir: path.resolve(config.log.dir),
      durability:
        config.log.durability === 'fsync'
          ? { mode: 'fsync' }
          : { mode: 'interval', intervalMs: config.log['flush.interval.ms'] },
      logger: logLogger,
    });
    let herder: StandaloneHerder | null = null;
    try {
      const registry = await loadPluginRegistry();
      const roots = config.files.roots.map((r) => path.resolve(r));
      herder = new StandaloneHerder({
        workerId: `${config.rest.host}:${config.rest.port}`,
        log,
        registry,
        logger,
        resolver: connectorConfigResolver(config),
        workerSettings: { 'worker.files.roots': roots.join(',') },
        converterDefaults: converterDefaultsOf(config),
        connectorDefaults: { 'producer.override.compression.type': config.producer['compression.type'] },
        taskThreads: config.tasks.threads,
        taskShutdownTimeoutMs: config.tasks['shutdown.graceful.timeout.ms'],
        connectorsDir: path.resolve(config.connectors.dir),
        pluginDirs: pluginSearchDirs(),
        logLevel: process.env['SLUICE_LOG_LEVEL'] ?? 'info',
      });
      await herder.start();
      const runtime = new WorkerRuntime(config, log, registry, herder, logger);
      await runtime.startReconciler();
      return runtime;
    } catch (err) {
      // the tasks (and their threads) started so far end too, or the process would live on
      // without its log
      await herder
        ?.stop()
        .catch((stopErr: unknown) => logger.error({ err: stopErr }, 'stopping after a failed start'));
      await log.close();
      throw err;
    }
  }

  private async startReconciler(): Promise<void> {
    const herder = this.herder;
    this.reconciler = new ConnectorReconciler({
      dir: path.resolve(this.config.connectors.dir),
      logger: this.logger.child({ component: 'connectors-dir' }),
      target: {
        put: (name, config, source) =>
          withFieldErrors(() => herder.putConnectorConfig(name, config, source.file)),
        validate: (name, config) => withFieldErrors(() => herder.checkConnectorConfig(name, config)),
        delete: (name, source) => herder.deleteConnector(name, source.file),
        list: () => herder.managedConnectors(),
      },
    });
    await this.reconciler.start();
  }

  lastConfigErrors(): ReturnType<ConnectorReconciler['lastErrors']> | undefined {
    return this.reconciler?.lastErrors();
  }

  /** Stops watching the connectors folder and stops every connector and task (they commit what is durable). */
  async stopConnectors(): Promise<void> {
    await this.reconciler?.stop();
    this.reconciler = null;
    await this.herder.stop();
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}

/** A herder refusal with field errors as the ConnectorConfigError the reconciler maps to lines. */
async function withFieldErrors(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (err instanceof HerderError && err.fieldErrors.length > 0)
      throw new ConnectorConfigError(err.fieldErrors);
    throw err;
  }
}
