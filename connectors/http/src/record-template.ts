import { DataError, writeJson, type ConnectRecord } from '@sluice/connect-api';

/*
 * Text with record placeholders, as the sink's URL and headers take them:
 *   ${topic}  the record's topic
 *   ${key}    its key (strings as they are, other values as JSON, null as "")
 * In a URL each substitution is percent-encoded, so a key cannot change the path or the query;
 * one that would make a whole path segment "." or ".." (which URLs resolve, encoded or not) is a
 * DataError, as is a header value a header cannot hold.
 */

export type RecordTemplate = (record: ConnectRecord) => string;

const PLACEHOLDER = /\$\{(topic|key)\}/g;

/** `encode` takes each substituted value and the index of its placeholder among the split parts. */
export function compileRecordTemplate(
  text: string,
  encode: (value: string, part: number) => string,
): RecordTemplate {
  if (!text.includes('${')) return () => text;
  const parts = text.split(PLACEHOLDER);
  // split with a capture group alternates literal, name, literal, ...
  return (record) => {
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      out += encode(parts[i] === 'topic' ? record.topic : keyText(record.key), i) + parts[i + 1]!;
    }
    return out;
  };
}

/** A URL template: substitutions percent-encoded, and none may be a dot segment of the path. */
export function compileUrlTemplate(text: string): RecordTemplate {
  const parts = text.split(PLACEHOLDER);
  const wholeSegment: boolean[] = [];
  let inPath = true;
  for (let i = 1; i < parts.length; i += 2) {
    const before = parts[i - 1]!;
    if (/[?#]/.test(before)) inPath = false;
    const after = parts[i + 1]!;
    wholeSegment[i] = inPath && before.endsWith('/') && (after === '' || /^[/?#]/.test(after));
  }
  return compileRecordTemplate(text, (value, i) => {
    if (wholeSegment[i] && (value === '.' || value === '..'))
      throw new DataError(
        `${JSON.stringify(value)} cannot be a segment of the URL's path: it would change the path`,
      );
    return encodeURIComponent(value);
  });
}

/** Whether the template depends on the record at all. */
export function usesPlaceholders(text: string): boolean {
  return /\$\{(topic|key)\}/.test(text);
}

function keyText(key: unknown): string {
  if (key === null || key === undefined) return '';
  if (typeof key === 'string') return key;
  if (Buffer.isBuffer(key)) return key.toString('utf8');
  if (typeof key === 'bigint') return key.toString();
  return writeJson(key);
}
