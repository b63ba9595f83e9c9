import type { SinkRecord } from '@sluice/connect-api';
import type { SinkBodyFormat } from './http-sink.config.js';

/*
 * How record values become request bodies:
 *   json_array  [v1,v2,...]        application/json
 *   ndjson      v1\nv2\n...         application/x-ndjson
 *   single      v                   application/json, or the bytes/text of a Buffer/string value
 * In the JSON formats a value is written as JSON (a Buffer as a base64 string, null as null).
 * Values are encoded once, when a record joins a batch, so a batch's size is known before it is
 * sent and a retry reuses the same bytes.
 */

export interface EncodedValue {
  text: string;
  bytes: number;
}

export function encodeValue(record: SinkRecord): EncodedValue {
  const value = record.value;
  const text =
    value === undefined
      ? 'null'
      : Buffer.isBuffer(value)
        ? JSON.stringify(value.toString('base64'))
        : (JSON.stringify(value) ?? 'null');
  return { text, bytes: Buffer.byteLength(text) };
}

/** Bytes a value adds to a batch body: its own and its separator. */
export function framedBytes(value: EncodedValue): number {
  return value.bytes + 1;
}

export function batchBody(format: SinkBodyFormat, values: readonly EncodedValue[]): string {
  if (format === 'ndjson') {
    let out = '';
    for (const v of values) out += v.text + '\n';
    return out;
  }
  if (format === 'single') return values[0]?.text ?? 'null';
  let out = '[';
  for (let i = 0; i < values.length; i++) out += (i === 0 ? '' : ',') + values[i]!.text;
  return out + ']';
}

/** The body of a one-record request in the single format: raw bytes and text go as they are. */
export function singleBody(
  record: SinkRecord,
  encoded: EncodedValue,
): { body: string | Buffer; type: string } {
  const value = record.value;
  if (Buffer.isBuffer(value)) return { body: value, type: 'application/octet-stream' };
  if (typeof value === 'string') return { body: value, type: 'text/plain; charset=utf-8' };
  return { body: encoded.text, type: 'application/json' };
}

export function contentTypeOf(format: SinkBodyFormat): string {
  return format === 'ndjson' ? 'application/x-ndjson' : 'application/json';
}
