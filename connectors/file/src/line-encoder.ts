import { DataError, writeJson, type Schema } from '@sluice/connect-api';
import { formatCsvRow } from './csv-row.js';

/*
 * Record values to lines:
 *   jsonl  the value's JSON text where the record has it (valueJson, as read from the log),
 *          else the value written as JSON: objects (structs), arrays, numbers, booleans as JSON;
 *          strings JSON-encoded ("a" → "\"a\""), never re-parsed; Buffers as base64 strings;
 *          bigints as exact integers; Maps as objects; Dates as ISO strings; NaN and infinities
 *          as the strings "NaN", "Infinity", "-Infinity" (as Kafka's JsonConverter writes them)
 *   csv    object values as rows; the columns come from the first record of a file (its struct
 *          schema's fields, else its keys) and are written as the header; a later record with a
 *          key outside them is a DataError (a header cannot grow mid-file); missing keys are
 *          empty cells; cells as in text, nested objects as JSON
 *   text   strings as they are (a line break inside a value spans lines), Buffers as raw bytes,
 *          anything else as its JSON
 */

/*
 * Lines are text (written as UTF-8) but for raw bytes: the writer turns a run of text lines into
 * one buffer when it writes them, rather than one buffer a line.
 */
export type EncodedLine = string | Buffer;

/** `json`: the value's JSON text on one line, where the record has it (written as it is). */
export function encodeJsonLine(value: unknown, json?: string): string {
  return `${json ?? writeJson(value)}\n`;
}

export function encodeTextLine(value: unknown, json?: string): EncodedLine {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.concat([value, NEWLINE]);
  return `${typeof value === 'string' ? value : (json ?? writeJson(value))}\n`;
}

const NEWLINE = Buffer.from('\n');

function asObject(value: unknown): Record<string, unknown> | null {
  if (value instanceof Map) return Object.fromEntries(value) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array || value instanceof Date) return null;
  return value as Record<string, unknown>;
}

/** The columns a csv file gets from its first record. */
export function csvColumnsOf(value: unknown, schema: Schema | null): string[] {
  let columns: string[];
  if (schema?.type === 'struct' && schema.fields) columns = schema.fields.map((f) => f.name);
  else {
    const object = asObject(value);
    if (!object) throw new DataError(`csv needs object (struct) values, not ${describe(value)}`);
    columns = Object.keys(object);
  }
  if (columns.length === 0)
    throw new DataError('csv needs a record with at least one field to take columns from');
  return columns;
}

export function encodeCsvHeader(columns: readonly string[]): string {
  return `${formatCsvRow(columns)}\n`;
}

export function encodeCsvLine(value: unknown, columns: readonly string[]): string {
  const object = asObject(value);
  if (!object) throw new DataError(`csv needs object (struct) values, not ${describe(value)}`);
  const known = new Set(columns);
  const unknown = Object.keys(object).filter((k) => !known.has(k) && object[k] !== undefined);
  if (unknown.length > 0) {
    throw new DataError(
      `the record has fields outside the file's csv columns (${columns.join(', ')}): ${unknown.join(', ')}`,
    );
  }
  return `${formatCsvRow(columns.map((c) => csvCell(object[c])))}\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  return writeJson(value);
}

function describe(value: unknown): string {
  if (Buffer.isBuffer(value)) return 'bytes';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
