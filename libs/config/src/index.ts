export { ConfigError, type ConfigProblem } from './config-error.js';
export {
  ConnectorsConfig,
  ConvertersConfig,
  FilesConfig,
  LogConfig,
  RestAuthConfig,
  RestConfig,
  TasksConfig,
  WorkerConfig,
} from './worker-config.js';
export { envNameFor, loadWorkerConfig, type LoadedWorkerConfig } from './worker-config-loader.js';
export {
  isConnectorFileText,
  parseConnectorFile,
  readConnectorFile,
  validateConnectorName,
  type ConnectorFile,
} from './connector-file.js';
export {
  BUILT_IN_PROVIDERS,
  hasProviderReferences,
  resolveConfig,
  type ConfigProvider,
  type ResolveConfigOptions,
} from './config-providers.js';
export {
  ConnectorReconciler,
  type ConnectorConfigTarget,
  type ConnectorReconcilerOptions,
  type ReconcileEvent,
  type ReconcilerLogger,
} from './connector-reconciler.js';
export { parseProperties } from './properties-format.js';
