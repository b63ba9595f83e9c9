import {
  ConnectError,
  parseConfig,
  type ConfigClass,
  type ConfigValidationResult,
  type ConnectorContext,
  type SourceConnector,
  type SourceTask,
} from '@sluice/connect-api';
import { closeClient, connectClient } from './pg-session.js';
import { PostgresSourceConfig } from './postgres-source.config.js';
import { PostgresSourceTask } from './postgres-source.task.js';
import { dropSlot } from './replication-slot.js';
import { checkSourceSetup } from './source-setup-check.js';
import { filterConfigErrors } from './table-filter.js';
import { VERSION } from './version.js';

/**
 * Change data capture from PostgreSQL (see PostgresSourceTask). Always one task: a replication
 * slot has one reader, so tasks.max beyond 1 would add nothing.
 *
 * slot.drop.on.stop: the slot is dropped in onDelete(), which the runtime calls only when the
 * connector is deleted, never on a stop, restart, rebalance or worker shutdown; dropping it there
 * would lose the changes a restarted connector needs.
 */
export class PostgresSourceConnector implements SourceConnector {
  readonly kind = 'source';
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return VERSION;
  }

  configClass(): ConfigClass {
    return PostgresSourceConfig;
  }

  async validate(config: Readonly<Record<string, string>>): Promise<ConfigValidationResult> {
    const parsed = parseConfig(PostgresSourceConfig, config);
    // the runtime reports the config class's own errors; the database is not worth asking then
    if (!parsed.ok) return { errors: [] };
    return { errors: await checkSourceSetup(parsed.config) };
  }

  start(config: Readonly<Record<string, string>>, _context: ConnectorContext): void {
    const parsed = parseConfig(PostgresSourceConfig, config);
    const errors = parsed.ok ? filterConfigErrors(parsed.config) : parsed.errors;
    if (errors.length > 0)
      throw new ConnectError(
        `invalid postgres-source config: ${errors.flatMap((e) => e.messages).join('; ')}`,
      );
    this.config = { ...config };
  }

  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [{ ...this.config }];
  }

  stop(): void {}

  async onDelete(config: Readonly<Record<string, string>>): Promise<void> {
    const parsed = parseConfig(PostgresSourceConfig, config);
    if (!parsed.ok || !parsed.config['slot.drop.on.stop']) return;
    const client = await connectClient(parsed.config);
    try {
      await dropSlot(client, parsed.config['slot.name']);
    } finally {
      await closeClient(client);
    }
  }

  createTask(): SourceTask {
    return new PostgresSourceTask();
  }
}
