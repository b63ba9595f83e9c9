import type { Schema } from './schema.js';

export interface ConnectHeader {
  readonly key: string;
  readonly value: unknown;
  readonly schema?: Schema | null;
}

/**
 * What flows between connectors, transforms and converters. Records are immutable: transforms
 * return new ones (see withRecord).
 */
export interface ConnectRecord {
  readonly topic: string;
  /** null: let the partitioner choose. */
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  readonly value: unknown;
  /** Milliseconds since the epoch, or null for "now". */
  readonly timestamp: number | null;
  readonly headers: readonly ConnectHeader[];
}

/** A record from a source task, with where it came from so the runtime can commit its offset. */
export interface SourceRecord extends ConnectRecord {
  /** Identifies the source stream, e.g. { file: "/data/in.log" } or { table: "public.users" }. */
  readonly sourcePartition: Readonly<Record<string, unknown>>;
  /** The position within it after this record, e.g. { position: 1234 } or { lsn: "0/16B3748" }. */
  readonly sourceOffset: Readonly<Record<string, unknown>>;
  /**
   * The compact JSON text `value` was parsed from, when the task has it at hand (a webhook item):
   * a JSON converter then stores it as it is instead of writing the value again. It must parse
   * to `value`, which must have no schema. The runtime uses it only while the record is the one
   * the task returned: a transformation's new record (withRecord) goes through the converter.
   */
  readonly valueJson?: string;
}

/** A record delivered to a sink task, with its place in the log. */
export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  readonly kafkaOffset: number;
  /** Before any transform renamed the topic or moved the record. */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;
}

/**
 * A copy of `record` with some fields replaced; the kind of record (source or sink) is kept.
 * Not frozen (the types keep it read-only): freezing a spread copy cost over a microsecond a
 * record, more than the rest of a transform.
 */
export function withRecord<R extends ConnectRecord>(record: R, changes: Partial<ConnectRecord>): R {
  return { ...record, ...changes };
}

export function headerValue(record: ConnectRecord, key: string): unknown {
  for (let i = record.headers.length - 1; i >= 0; i--) {
    if (record.headers[i]!.key === key) return record.headers[i]!.value;
  }
  return undefined;
}
