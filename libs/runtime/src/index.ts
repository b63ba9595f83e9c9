export * from './herder/herder.js';
export {
  StandaloneHerder,
  type ConfigResolver,
  type StandaloneHerderOptions,
} from './herder/standalone-herder.js';
export { PluginRegistry, registerDiscoveredPlugins, type PluginType } from './plugins/plugin-registry.js';
export { RuntimeMetrics } from './metrics/runtime-metrics.js';
export { ConnectorConfigError, type FieldError } from './config/connector-config-error.js';
export { ProvidedValues } from './herder/provided-values.js';
export { DEFAULT_CONVERTERS, type ConverterDefaults } from './config/converter-factory.js';
export {
  CommonConnectorConfig,
  SinkConnectorConfig,
  SourceConnectorConfig,
} from './config/connector-config.js';
export { INTERNAL_TOPICS } from './storage/internal-topics.js';
export { isRuntimeHeader } from './offsets/source-offset-header.js';
export { validateConnectorConfig, type ValidationOutcome } from './config/connector-validator.js';
export { CONVERTER_PLUGINS } from './converters/index.js';
export { TRANSFORM_PLUGINS } from './transforms/index.js';
export { PREDICATE_PLUGINS } from './predicates/index.js';
