import { compactJsonText, jsonArrayElementTexts, parseSchemalessJson } from '@sluice/connect-api';
import { findJsonSyntaxError } from './json-syntax-error.js';

/*
 * Turns a webhook body into the items that become records:
 *   a JSON object (or any single JSON value)  one item
 *   a JSON array                              one item per element
 *   NDJSON (one JSON value per line)          one item per non-blank line
 * The content type decides when it names a JSON kind: *ndjson, *jsonl, *json-seq mean lines;
 * *json means one document. Otherwise (text/plain, none, anything else) the body is sniffed: one
 * document when it parses as one, else lines when its first line parses alone, else the
 * document's error is the answer.
 */

export type BodyFormat = 'json' | 'ndjson' | 'sniff';

/** The items, and the compact JSON text of each where it has one (see json-value-texts). */
export type ParsedBody =
  { ok: true; items: unknown[]; texts: (string | undefined)[] } | { ok: false; message: string };

const BOM = 0xfeff;

export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  if (!contentType) return 'sniff';
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (
    type.endsWith('ndjson') ||
    type.endsWith('jsonl') ||
    type.endsWith('json-seq') ||
    type.endsWith('jsonlines')
  )
    return 'ndjson';
  if (type.endsWith('/json') || type.endsWith('+json')) return 'json';
  return 'sniff';
}

export function parseWebhookBody(body: Buffer, format: BodyFormat): ParsedBody {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === BOM) text = text.slice(1);
  if (format === 'ndjson') return parseLines(text);
  if (format === 'json') return parseDocument(text);
  const first = firstNonWs(text);
  if (first === -1) return { ok: false, message: 'empty body, expected JSON' };
  const doc = parseDocument(text);
  if (doc.ok || text[first] === '[') return doc;
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
    if (content.trim() !== '') {
      try {
        items.push(parseSchemalessJson(content));
        texts.push(compactJsonText(content));
      } catch (err) {
        const problem = findJsonSyntaxError(content);
        const where = problem
          ? `line ${line}, column ${problem.column}: ${problem.message}`
          : `line ${line}: ${(err as Error).message}`;
        return {
          ok: false,
          message: `invalid NDJSON at ${where} (position ${start + (problem?.position ?? 0)} of the body)`,
        };
      }
    }
    start = end + 1;
    line++;
  }
  if (items.length === 0) return { ok: false, message: 'empty body, expected NDJSON lines' };
  return { ok: true, items, texts };
}

function firstNonWs(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}
