import { isUtf8 } from 'node:buffer';
import { compactJsonText, jsonArrayElementTexts, parseSchemalessJson } from '@sluice/connect-api';
import { findJsonSyntaxError, type JsonSyntaxProblem } from './json-syntax-error.js';

/*
 * Turns a webhook body into the items that become records:
 *   a JSON object (or any single JSON value)  one item
 *   a JSON array                              one item per element
 *   NDJSON (one JSON value per line)          one item per non-blank line
 *   JSON text sequences (RFC 7464)            one item per record (RS, JSON text, LF)
 * The content type decides when it names a JSON kind: *ndjson, *jsonl mean lines; *json-seq
 * means RS-separated records; *json means one document. Otherwise (text/plain, none, anything
 * else) the body is sniffed: one document when it parses as one, else lines when its first line
 * parses alone, else the document's error is the answer. A body that is not UTF-8 is refused,
 * naming the first byte that is not: replacing it would store something the sender did not send.
 */

export type BodyFormat = 'json' | 'ndjson' | 'json-seq' | 'sniff';

/** The items, and the compact JSON text of each where it has one (see json-value-texts). */
export type ParsedBody =
  { ok: true; items: unknown[]; texts: (string | undefined)[] } | { ok: false; message: string };

const BOM = 0xfeff;

export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  if (!contentType) return 'sniff';
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (type.endsWith('json-seq')) return 'json-seq';
  if (type.endsWith('ndjson') || type.endsWith('jsonl') || type.endsWith('jsonlines')) return 'ndjson';
  if (type.endsWith('/json') || type.endsWith('+json')) return 'json';
  return 'sniff';
}

export function parseWebhookBody(body: Buffer, format: BodyFormat): ParsedBody {
  if (!isUtf8(body)) {
    return {
      ok: false,
      message: `the body is not UTF-8: byte ${firstNonUtf8Byte(body)} is not part of a character`,
    };
  }
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  if (format === 'ndjson') return parseLines(text);
  if (format === 'json-seq') return parseSequence(text);
  if (format === 'json') return parseDocument(text);
  const first = firstNonWs(text);
  if (first === -1) return { ok: false, message: 'empty body, expected JSON' };
  const doc = parseDocument(text);
  if (doc.ok) return doc;
  // lines only when the first line is a value on its own: a pretty-printed document that is
  // broken further down keeps its own error
  const newline = text.indexOf('\n', first);
  if (newline === -1 || firstNonWs(text.slice(newline)) === -1) return doc;
  try {
    JSON.parse(text.slice(first, newline));
  } catch {
    return doc;
  }
  return parseLines(text);
}

function parseDocument(text: string): ParsedBody {
  let value: unknown;
  try {
    value = parseSchemalessJson(text);
  } catch (err) {
    const problem = findJsonSyntaxError(text);
    if (!problem) return { ok: false, message: `invalid JSON: ${(err as Error).message}` };
    return {
      ok: false,
      message: `invalid JSON at position ${problem.position} (line ${problem.line}, column ${problem.column}): ${problem.message}`,
    };
  }
  const items = Array.isArray(value) ? value : [value];
  const texts = Array.isArray(value) ? jsonArrayElementTexts(text) : [compactJsonText(text)];
  return { ok: true, items, texts: texts.length === items.length ? texts : [] };
}

function parseLines(text: string): ParsedBody {
  const items: unknown[] = [];
  const texts: (string | undefined)[] = [];
  let start = 0;
  let line = 1;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    const content = text.slice(start, end);
    const failed = content.trim() === '' ? null : takeValue(content, items, texts);
    if (failed) {
      const { problem, error } = failed;
      const where = problem
        ? `line ${line}, column ${problem.column}: ${problem.message}`
        : `line ${line}: ${error.message}`;
      return {
        ok: false,
        message: `invalid NDJSON at ${where} (position ${start + (problem?.position ?? 0)} of the body)`,
      };
    }
    start = end + 1;
    line++;
  }
  if (items.length === 0) return { ok: false, message: 'empty body, expected NDJSON lines' };
  return { ok: true, items, texts };
}

/** Adds the value of one line or record and its text; what is wrong with it when it does not parse. */
function takeValue(
  content: string,
  items: unknown[],
  texts: (string | undefined)[],
): { problem: JsonSyntaxProblem | null; error: Error } | null {
  try {
    items.push(parseSchemalessJson(content));
    texts.push(compactJsonText(content));
    return null;
  } catch (err) {
    return { problem: findJsonSyntaxError(content), error: err as Error };
  }
}

const RS = '\u001e';

/** RFC 7464: each record is RS, a JSON text, LF; a record that does not parse is an error. */
function parseSequence(text: string): ParsedBody {
  const items: unknown[] = [];
  const texts: (string | undefined)[] = [];
  const first = firstNonWs(text);
  if (first === -1) return { ok: false, message: 'empty body, expected a JSON text sequence' };
  if (text[first] !== RS)
    return { ok: false, message: 'a JSON text sequence starts each record with RS (U+001E)' };
  let start = text.indexOf(RS) + 1;
  let record = 1;
  while (start <= text.length) {
    let end = text.indexOf(RS, start);
    if (end === -1) end = text.length;
    const content = text.slice(start, end);
    const failed = firstNonWs(content) === -1 ? null : takeValue(content, items, texts);
    if (failed) {
      const { problem, error } = failed;
      const where = problem ? `, column ${problem.column}: ${problem.message}` : `: ${error.message}`;
      return {
        ok: false,
        message: `invalid JSON in record ${record} of the sequence${where} (position ${start + (problem?.position ?? 0)} of the body)`,
      };
    }
    start = end + 1;
    record++;
  }
  if (items.length === 0) return { ok: false, message: 'empty body, expected a JSON text sequence' };
  return { ok: true, items, texts };
}

/** The offset of the first byte of `body` that does not belong to a well-formed UTF-8 character. */
function firstNonUtf8Byte(body: Buffer): number {
  let i = 0;
  while (i < body.length) {
    const b = body[i]!;
    let length: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [length, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [length, min] = [4, 0x10000];
    else return i;
    if (i + length > body.length) return i;
    let code = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const c = body[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      code = (code << 6) | (c & 0x3f);
    }
    // overlong forms, UTF-16 surrogates and code points past U+10FFFF are not characters
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += length;
  }
  return body.length;
}

function firstNonWs(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}
