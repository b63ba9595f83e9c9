/** How bytes from the log are shown: parsed JSON, else UTF-8 text, else base64. */
export type ByteFormat = 'json' | 'string' | 'base64';

export interface RenderedBytes {
  value: unknown;
  format: ByteFormat | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"/g;
/** A number of 16 digits or more may not survive a round trip through a JS number. */
const LONG_NUMBER = /\d{16,}/;

/** Control characters other than tab, newline and carriage return: binary data, not text. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

export function renderBytes(bytes: Buffer | null): RenderedBytes {
  if (bytes === null) return { value: null, format: null };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { value: bytes.toString('base64'), format: 'base64' };
  }
  if (hasControlCharacters(text)) return { value: bytes.toString('base64'), format: 'base64' };
  const trimmed = text.trim();
  if (trimmed !== '' && !LONG_NUMBER.test(trimmed.replace(STRING_LITERAL, '""'))) {
    try {
      return { value: JSON.parse(trimmed) as unknown, format: 'json' };
    } catch {
      // not JSON: shown as text
    }
  }
  return { value: text, format: 'string' };
}
