/*
 * Stand-ins for what the runtime hands to tasks, for connectors' own tests (`@sluice/connect-api/testing`):
 * offsets kept in memory, a logger that records, contexts that record what a task asked for, and
 * an ingest route tests send requests through.
 */
export { MemoryOffsetStorage } from './memory-offset-storage.js';
export { recordingLogger, type LogEntry, type RecordingLogger } from './recording-logger.js';
export {
  pollUntil,
  RecordingSinkContext,
  sinkRecord,
  sourceContext,
  TestIngress,
  type TestSourceContext,
} from './task-contexts.js';
