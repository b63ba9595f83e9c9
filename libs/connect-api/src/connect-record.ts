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
  /**
   * The JSON text of `value` on one line, where it is at hand (a source read the value from it or
   * wrote it cheaply; the JSON converter read it from the log): stored or written as it is, it
   * spares writing the value again. Schemaless, it must parse to `value` (but for numbers too
   * precise for a double, which the text keeps exact). With a `valueSchema`, it must be the
   * payload Kafka's JsonConverter writes for `value` under that schema with its default settings.
   * withRecord drops it when the value changes, and a transformation must not change a value in
   * place.
   */
  readonly valueJson?: string;
}

/** A record from a source task, with where it came from so the runtime can commit its offset. */
export interface SourceRecord extends ConnectRecord {
  /** Identifies the source stream, e.g. { file: "/data/in.log" } or { table: "public.users" }. */
  readonly sourcePartition: Readonly<Record<string, unknown>>;
  /** The position within it after this record, e.g. { position: 1234 } or { lsn: "0/16B3748" }. */
  readonly sourceOffset: Readonly<Record<string, unknown>>;
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
  const out: R & { valueJson?: string } = { ...record, ...changes };
  // the old value's text is not the new one's
  if (out.valueJson !== undefined && 'value' in changes && !('valueJson' in changes))
    out.valueJson = undefined;
  return out;
}

export function headerValue(record: ConnectRecord, key: string): unknown {
  for (let i = record.headers.length - 1; i >= 0; i--) {
    if (record.headers[i]!.key === key) return record.headers[i]!.value;
  }
  return undefined;
}
