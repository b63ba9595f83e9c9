import { LogError } from './errors.js';

/** A record header: Kafka allows repeated keys, so headers are an ordered list, not a map. */
export interface RecordHeader {
  readonly key: string;
  readonly value: Buffer | null;
}

/**
 * The bytes of a key or value as a producer takes them: a Buffer, text (written as UTF-8), or parts
 * written one after another, so that bytes many records share (a schema) are encoded once and
 * copied, not encoded again for every record.
 */
export type RecordData = Buffer | string | readonly (Buffer | string)[];

/** What a producer sends. Strings are written as UTF-8. */
export interface ProducerRecord {
  key?: RecordData | null;
  value: RecordData | null;
  headers?: readonly { key: string; value: Buffer | string | null }[];
  /** Milliseconds since the epoch; defaults to the time of the send. */
  timestamp?: number;
  /** Overrides the partitioner. */
  partition?: number;
}

/**
 * A record read back from the log. `key` and `value` are views into the fetched bytes (no copy):
 * copy them if they must outlive the batch they came from by a long time.
 */
export interface LogRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

/** `data` as one Buffer (parts joined), e.g. a key to hash. */
export function recordDataBuffer(data: RecordData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  return Buffer.concat(data.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
}

/** The number of bytes `data` is written as; throws for what is not a Buffer, text or parts of those. */
export function recordDataLength(data: RecordData): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (data instanceof Uint8Array) return data.length;
  if (Array.isArray(data)) {
    let length = 0;
    for (const part of data as readonly unknown[]) {
      if (typeof part === 'string') length += Buffer.byteLength(part, 'utf8');
      else if (part instanceof Uint8Array) length += part.length;
      else throw invalidData(`a part ${typeof part}`);
    }
    return length;
  }
  throw invalidData(typeof data);
}

function invalidData(what: string): LogError {
  return new LogError(
    'INVALID_RECORD',
    `record keys, values and header values must be a Buffer, a string, parts of those or null, not ${what}`,
  );
}
