export { Log, type EmbeddedLogOptions } from './client/log.js';
export { LogAdmin, type NewTopic, type PartitionLag } from './client/admin.js';
export {
  Producer,
  type ProducerOptions,
  type RecordMetadata,
  type RecordPosition,
  type SendRequest,
} from './client/producer.js';
export {
  Consumer,
  type ConsumerOptions,
  type OffsetResetPolicy,
  type PartitionRecords,
  type PollOptions,
  type RebalanceListener,
} from './client/consumer.js';
export { DefaultPartitioner, type Partitioner } from './client/partitioner.js';
export { murmur2, toPositive } from './client/murmur2.js';
export { LogError, isLogError, type LogErrorCode, type LogErrorDetails } from './errors.js';
export type { Logger } from './logger.js';
export type { LogRecord, ProducerRecord, RecordData, RecordHeader, TopicPartition } from './record.js';
export { recordDataBuffer, recordDataLength, topicPartitionKey } from './record.js';
export { COMPRESSION_TYPES, isCompressionSupported, type CompressionType } from './format/compression.js';
export { RecordBatchEncoder } from './format/record-batch-encoder.js';
export { RecordBatchDecoder } from './format/record-batch-decoder.js';
export type {
  AppendResult,
  FetchRequest,
  FetchResult,
  LogStorage,
  PartitionDescription,
  TopicDescription,
} from './storage/log-storage.js';
export { FileLogStorage, type FileLogStorageOptions } from './storage/file/file-log-storage.js';
export type { DurabilityPolicy } from './storage/file/durability-policy.js';
export {
  CLEANUP_POLICIES,
  DEFAULT_TOPIC_CONFIG,
  parseTopicConfig,
  TOPIC_CONFIG_KEYS,
  type CleanupPolicy,
  type TopicConfig,
} from './topics/topic-config.js';
export { INTERNAL_TOPIC_PREFIX, isInternalTopic, validateTopicName } from './topics/topic-name.js';
export type {
  CommittedOffset,
  GroupCoordinator,
  GroupDescription,
  GroupState,
  MemberRef,
  OffsetCommit,
} from './groups/group-coordinator.js';
export {
  InProcessGroupCoordinator,
  type InProcessGroupCoordinatorOptions,
} from './groups/in-process-group-coordinator.js';
export {
  ConsumerGroupMember,
  type ConsumerGroupMemberOptions,
  type ConsumerRebalanceListener,
} from './groups/consumer-group-member.js';
export type { OffsetStore, StoredOffset } from './groups/offset-store.js';
export { InMemoryOffsetStore } from './groups/in-memory-offset-store.js';
export {
  CONSUMER_OFFSETS_TOPIC,
  LogOffsetStore,
  type LogOffsetStoreOptions,
} from './groups/log-offset-store.js';
export type {
  MemberSubscription,
  PartitionAssignor,
  RebalanceProtocol,
} from './groups/assignors/partition-assignor.js';
export { RangeAssignor } from './groups/assignors/range-assignor.js';
export { CooperativeStickyAssignor } from './groups/assignors/cooperative-sticky-assignor.js';
export { resolveOwnership, withholdTransfers } from './groups/assignors/partition-ownership.js';
export { systemTimers, type TimerHandle, type Timers } from './groups/timers.js';
