/*
 * The texts of the values in valid JSON (text JSON.parse has accepted), for a record's valueJson:
 * a webhook item or a JSON line can then be stored as it was written instead of being written
 * again from its parsed value (for a webhook body of small items, that second write was the
 * largest cost of a request). Only compact texts are given: a value with whitespace between its
 * tokens (pretty-printed) gets undefined and is written from its value, so what the log holds
 * stays one line of JSON per record.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The index of the quote that closes the string opening at `open`. */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0)
      throw new SyntaxError(`unterminated string at position ${open} (the text must be valid JSON)`);
    // escaped when an odd number of backslashes precede it
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * The comma-separated values of text[from, to) at its top level, each as its text, or undefined
 * where it is not compact. For one JSON value, the whole text; for an array's elements, the text
 * between its brackets.
 */
export function jsonValueTexts(text: string, from = 0, to = text.length): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let depth = 0;
  let start = -1;
  let end = -1;
  let compact = true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (start < 0) start = i;
      i = end = closingQuote(text, i);
    } else if (isWhitespace(c)) {
      if (depth > 0) compact = false;
    } else if (c === COMMA && depth === 0) {
      out.push(compact ? text.slice(start, end + 1) : undefined);
      start = -1;
      compact = true;
    } else {
      if (start < 0) start = i;
      end = i;
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    }
  }
  if (start >= 0) out.push(compact ? text.slice(start, end + 1) : undefined);
  return out;
}

/** The texts of the elements of a valid JSON array. */
export function jsonArrayElementTexts(text: string): (string | undefined)[] {
  return jsonValueTexts(text, text.indexOf('[') + 1, text.lastIndexOf(']'));
}

/** The text of one valid JSON value, without the whitespace around it, if it is compact. */
export function compactJsonText(text: string): string | undefined {
  const texts = jsonValueTexts(text);
  return texts.length === 1 ? texts[0] : undefined;
}
