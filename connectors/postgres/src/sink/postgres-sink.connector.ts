import {
  ConnectError,
  DataError,
  parseConfig,
  type ConfigClass,
  type ConfigValidationResult,
  type ConnectorContext,
  type SinkConnector,
  type SinkOffsetChange,
  type SinkTask,
} from '@sluice/connect-api';
import { connectionSettings } from './connection-settings.js';
import { checkSinkConfig, PostgresSinkConfig } from './postgres-sink.config.js';
import { PostgresSinkTask } from './postgres-sink.task.js';
import { checkSinkSetup } from './sink-config-check.js';
import { SinkOffsetsStore } from './sink-offsets-store.js';
import { SinkSession } from './sink-session.js';
import { parseTableName } from './sql-identifier.js';
import { VERSION } from './version.js';

/**
 * Writes topics into Postgres tables (see PostgresSinkTask). Every task gets the same config; the
 * consumer group spreads the partitions. Tasks may write the same table at once: each batch is
 * its own transaction and DDL is IF NOT EXISTS, so they only contend on row locks.
 */
export class PostgresSinkConnector implements SinkConnector {
  readonly kind = 'sink';
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return VERSION;
  }

  configClass(): ConfigClass {
    return PostgresSinkConfig;
  }

  async validate(config: Readonly<Record<string, string>>): Promise<ConfigValidationResult> {
    const parsed = parseConfig(PostgresSinkConfig, config);
    // the runtime reports the config class's own errors; the database is not worth asking then
    if (!parsed.ok) return { errors: [] };
    return { errors: await checkSinkSetup(parsed.config) };
  }

  start(config: Readonly<Record<string, string>>, _context: ConnectorContext): void {
    const parsed = parseConfig(PostgresSinkConfig, config);
    const errors = parsed.ok ? checkSinkConfig(parsed.config) : parsed.errors;
    if (errors.length > 0)
      throw new ConnectError(`invalid postgres-sink config: ${errors.flatMap((e) => e.messages).join('; ')}`);
    this.config = { ...config };
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: Math.max(1, Math.floor(maxTasks)) }, () => ({ ...this.config }));
  }

  stop(): void {}

  createTask(): SinkTask {
    return new PostgresSinkTask();
  }

  /** With exactly.once the target's offsets table decides where tasks resume: it is changed too. */
  async alterOffsets(
    config: Readonly<Record<string, string>>,
    offsets: readonly SinkOffsetChange[],
  ): Promise<boolean> {
    const parsed = parseConfig(PostgresSinkConfig, config);
    if (!parsed.ok)
      throw new DataError(
        `invalid postgres-sink config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
      );
    if (!parsed.config['exactly.once'] || offsets.length === 0) return false;
    const name = config['name'];
    if (!name)
      throw new ConnectError('the connector config has no name, which its stored offsets are kept under');
    const store = new SinkOffsetsStore(parseTableName(parsed.config['offsets.table']), name);
    const session = await SinkSession.open(connectionSettings(parsed.config));
    try {
      await store.ensure(session.client, session.currentSchema);
      await store.alter(session.client, session.currentSchema, offsets);
    } finally {
      await session.close();
    }
    return true;
  }
}
