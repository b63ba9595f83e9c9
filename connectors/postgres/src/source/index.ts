export { POSTGRES_SOURCE_PLUGIN } from './postgres-source.plugin.js';
export { PostgresSourceConnector } from './postgres-source.connector.js';
export { PostgresSourceTask } from './postgres-source.task.js';
export { PostgresSourceConfig } from './postgres-source.config.js';
export { snapshotProgressOfOffset, type TableProgress } from './source-offset.js';
