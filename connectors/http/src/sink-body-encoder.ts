import { writeJson, type SinkRecord } from '@sluice/connect-api';
import type { SinkBodyFormat } from './http-sink.config.js';

/*
 * How record values become request bodies:
 *   json_array  [v1,v2,...]        application/json
 *   ndjson      v1\nv2\n...         application/x-ndjson
 *   single      v                   application/json, or the bytes/text of a Buffer/string value
 * In the JSON formats a value is written as JSON (a Buffer as a base64 string, null as null, a
 * bigint as an exact number).
 * Values are encoded once, when a record joins a batch, so a batch's size is known before it is
 * sent and a retry reuses the same bytes. The hot path keeps a value as its JSON text alone and
 * joins a batch's texts once (a flat string, which the socket writes without flattening a rope).
 */

export function encodeValue(record: SinkRecord): string {
  const value = record.value;
  if (value === undefined) return 'null';
  // integers past 2^53 (bigints from the JSON converter) as exact numbers, bytes as base64
  return writeJson(value);
}

/** Bytes a value adds to a batch body: its own and its separator. */
export function framedBytes(text: string): number {
  return Buffer.byteLength(text) + 1;
}

/** At least framedBytes(text), without reading it: UTF-8 takes at most 3 bytes per UTF-16 unit. */
export function boundedBytes(text: string): number {
  return text.length * 3 + 1;
}

export function batchBody(format: SinkBodyFormat, texts: readonly string[]): string {
  if (format === 'ndjson') return texts.length === 0 ? '' : texts.join('\n') + '\n';
  if (format === 'single') return texts[0] ?? 'null';
  return '[' + texts.join(',') + ']';
}

/** The body of a one-record request in the single format: raw bytes and text go as they are. */
export function singleBody(record: SinkRecord, text: string): { body: string | Buffer; type: string } {
  const value = record.value;
  if (Buffer.isBuffer(value)) return { body: value, type: 'application/octet-stream' };
  if (typeof value === 'string') return { body: value, type: 'text/plain; charset=utf-8' };
  return { body: text, type: 'application/json' };
}

export function contentTypeOf(format: SinkBodyFormat): string {
  return format === 'ndjson' ? 'application/x-ndjson' : 'application/json';
}
