import type { PluginDescriptor } from '@sluice/connect-api';
import { PostgresSinkConnector } from './postgres-sink.connector.js';
import { VERSION } from './version.js';

/** postgres-sink as the plugin registry lists it; connector configs of Confluent's JDBC sink name it by its alias. */
export const POSTGRES_SINK_PLUGIN: PluginDescriptor = {
  type: 'sink',
  name: 'postgres-sink',
  className: 'io.sluice.connect.postgres.PostgresSinkConnector',
  aliases: ['io.confluent.connect.jdbc.JdbcSinkConnector'],
  version: VERSION,
  description:
    'Writes topics into PostgreSQL tables: insert, upsert or update, deletes, Debezium envelopes, auto.create/evolve, exactly once.',
  create: () => new PostgresSinkConnector(),
};
