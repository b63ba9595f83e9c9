export { ConfigError, type ConfigProblem } from './config-error.js';
export { ConnectorsConfig, FilesConfig, LogConfig, RestConfig, WorkerConfig } from './worker-config.js';
export { envNameFor, loadWorkerConfig, type LoadedWorkerConfig } from './worker-config-loader.js';
