export * from './herder/herder.js';
export { StandaloneHerder, type ConfigResolver, type StandaloneHerderOptions } from './herder/standalone-herder.js';
export { PluginRegistry, discoverPlugins, type PluginType } from './plugins/plugin-registry.js';
export { RuntimeMetrics } from './metrics/runtime-metrics.js';
export { ConnectorConfigError, type FieldError } from './config/connector-config-error.js';
export { DEFAULT_CONVERTERS, type ConverterDefaults } from './config/converter-factory.js';
export { CommonConnectorConfig, SinkConnectorConfig, SourceConnectorConfig } from './config/connector-config.js';
export { INTERNAL_TOPICS } from './storage/internal-topics.js';
