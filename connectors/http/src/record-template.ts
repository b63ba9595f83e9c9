import { writeJson, type ConnectRecord } from '@sluice/connect-api';

/*
 * Text with record placeholders, as the sink's URL and headers take them:
 *   ${topic}  the record's topic
 *   ${key}    its key (strings as they are, other values as JSON, null as "")
 * In a URL each substitution is percent-encoded, so a key cannot change the path or the query.
 */

export type RecordTemplate = (record: ConnectRecord) => string;

const PLACEHOLDER = /\$\{(topic|key)\}/g;

export function compileRecordTemplate(text: string, encode: (value: string) => string): RecordTemplate {
  if (!text.includes('${')) return () => text;
  const parts = text.split(PLACEHOLDER);
  // split with a capture group alternates literal, name, literal, ...
  return (record) => {
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      out += encode(parts[i] === 'topic' ? record.topic : keyText(record.key)) + parts[i + 1]!;
    }
    return out;
  };
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
