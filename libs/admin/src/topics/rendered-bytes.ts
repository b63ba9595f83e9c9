/** How bytes from the log are shown: as the JSON they hold, else UTF-8 text, else base64. */
export type ByteFormat = 'json' | 'string' | 'base64';

export interface RenderedBytes {
  /**
   * The JSON text of what is shown. JSON bytes are their own text, embedded as stored: parsed and
   * written again, numbers past 2^53 or with more than 15 digits would be rounded (or could not be
   * written by JSON.stringify at all).
   */
  json: string;
  format: ByteFormat | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Control characters other than tab, newline and carriage return: binary data, not text. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function renderBytes(bytes: Buffer | null): RenderedBytes {
  if (bytes === null) return { json: 'null', format: null };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { json: JSON.stringify(bytes.toString('base64')), format: 'base64' };
  }
  if (hasControlCharacters(text)) return { json: JSON.stringify(bytes.toString('base64')), format: 'base64' };
  const trimmed = text.trim();
  if (trimmed !== '' && isJson(trimmed)) return { json: trimmed, format: 'json' };
  return { json: JSON.stringify(text), format: 'string' };
}
