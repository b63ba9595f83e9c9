export { ConfigField, ConfigPrefix, configPrefixes, describeConfig, secretFields } from './config-field.js';
export type {
  ConfigClass,
  ConfigFieldInfo,
  ConfigFieldOptions,
  ConfigImportance,
  ConfigType,
} from './config-field.js';
export {
  parseConfig,
  type ConfigFieldError,
  type ConfigParseResult,
  type RawConfig,
} from './parse-config.js';
export { headerValue, withRecord } from './connect-record.js';
export type { ConnectHeader, ConnectRecord, SinkRecord, SourceRecord } from './connect-record.js';
export type {
  ConfigValidationResult,
  Connector,
  ConnectorContext,
  SinkConnector,
  SinkOffsetChange,
  SourceConnector,
  SourceOffsetChange,
} from './connector.js';
export type { OffsetStorageReader, RecordMetadata, SourceTask, SourceTaskContext } from './source-task.js';
export type {
  ErrantRecordReporter,
  PartitionOffsets,
  SinkTask,
  SinkTaskContext,
  TopicPartition,
} from './sink-task.js';
export type { Predicate, Transformation } from './transformation.js';
export type { Converter, SchemaAndValue } from './converter.js';
export type { PluginDescriptor, PluginModule } from './plugin.js';
export type { ConnectLogger } from './logger.js';
export { ConnectError, DataError, RetriableError, isRetriable } from './errors.js';
export {
  fieldOf,
  LogicalTypes,
  PRIMITIVE_TYPES,
  SchemaBuilder,
  Schemas,
  type Field,
  type Schema,
  type SchemaType,
} from './schema.js';
export type {
  HttpIngress,
  IngressHandler,
  IngressOptions,
  IngressRequest,
  IngressResponse,
} from './http-ingress.js';
export type { ConnectorSignal, TaskProgress, TaskProgressItem, TaskReporter } from './task-reporter.js';
export { IsTopicName, sinkConsumes, topicNameProblem, topicsPattern } from './topic-name.js';
export {
  JsonDecimal,
  parseJson,
  parseSchemalessJson,
  quoteJson,
  schemalessValue,
  withoutJsonDecimals,
  writeJson,
  writeJsonNumber,
  type ParsedJson,
} from './json-text.js';
export {
  ingressRefusal,
  sendIngressResponse,
  serveIngressRequest,
  BodyBudget,
  type IngressServing,
} from './ingress-http.js';
export { compactJsonText, jsonArrayElementTexts, jsonValueTexts } from './json-value-texts.js';
