export { POSTGRES_SINK_PLUGIN } from './postgres-sink.plugin.js';
export { PostgresSinkConnector } from './postgres-sink.connector.js';
export { PostgresSinkTask } from './postgres-sink.task.js';
export { PostgresSinkConfig } from './postgres-sink.config.js';
