export { AdminModule } from './admin.module.js';
export { ADMIN_OPTIONS, ADMIN_ASYNC_OPTIONS_TYPE, ADMIN_OPTIONS_TYPE } from './admin.module-definition.js';
export type { AdminModuleOptions, AuthOptions } from './admin-module-options.js';
export {
  setupAdminDocs,
  DOCS_PATH,
  OPENAPI_PATH,
  type AdminDocsOptions,
} from './openapi/setup-admin-docs.js';
export { LoggerLevels, ROOT_LOGGER, type KafkaLogLevel, type LoggerLevel } from './loggers/logger-levels.js';
export { REQUEST_LOGGER } from './http/request-logging.hook.js';
export { CredentialsChecker } from './auth/credentials-checker.js';
export { Public } from './auth/public.decorator.js';
export { ConfigRedactor, HIDDEN } from './secrets/config-redactor.js';
export type { RestErrorBody } from './errors/rest-error.js';
export { restFrameworkErrors } from './errors/framework-errors.js';
export { INGEST_MAX_BODY_BYTES, ingestServerFactory } from './ingest/ingest-server.js';
