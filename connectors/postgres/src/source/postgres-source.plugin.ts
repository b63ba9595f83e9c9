import type { PluginDescriptor } from '@sluice/connect-api';
import { PostgresSourceConnector } from './postgres-source.connector.js';
import { VERSION } from './version.js';

/** postgres-source as the plugin registry lists it; Debezium configs name it by its alias. */
export const POSTGRES_SOURCE_PLUGIN: PluginDescriptor = {
  type: 'source',
  name: 'postgres-source',
  className: 'io.sluice.connect.postgres.PostgresSourceConnector',
  aliases: ['io.debezium.connector.postgresql.PostgresConnector'],
  version: VERSION,
  description:
    'Change data capture from PostgreSQL over logical replication (pgoutput): consistent snapshots, then every insert, update and delete as Debezium events.',
  create: () => new PostgresSourceConnector(),
};
