/** A parsed array literal: elements in their text form (null for NULL), sub-arrays for nesting. */
export type PgArrayValue = (string | null | PgArrayValue)[];

/**
 * Parses PostgreSQL's array output ("{1,2,NULL}", '{"a b","c\\"d"}', "{{1,2},{3,4}}", "{}",
 * "[0:1]={7,8}") into nested arrays of element texts. `delimiter` is the element type's
 * (pg_type.typdelim: ',' for all built-in types but box, which uses ';').
 *
 * Grammar, as array_out writes it: an optional dimension decoration "[l:u]...=", then
 *   array   = '{' [ item { delim item } ] '}'
 *   item    = array | '"' { char | '\' char } '"' | bare
 *   bare    = chars up to delim or '}', where unquoted NULL (any case) is a null element
 */
export function parsePgArray(text: string, delimiter = ','): PgArrayValue {
  let pos = 0;
  if (text.startsWith('[')) {
    const eq = text.indexOf('=');
    if (eq < 0) throw arrayError(text, 'dimension decoration without "="');
    pos = eq + 1;
  }
  const skipSpace = (): void => {
    while (pos < text.length && isSpace(text.charCodeAt(pos))) pos++;
  };
  const parseArray = (): PgArrayValue => {
    if (text[pos] !== '{') throw arrayError(text, `expected "{" at ${pos}`);
    pos++;
    const out: PgArrayValue = [];
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return out;
    }
    for (;;) {
      skipSpace();
      const c = text[pos];
      if (c === '{') {
        out.push(parseArray());
      } else if (c === '"') {
        pos++;
        let value = '';
        let start = pos;
        for (;;) {
          if (pos >= text.length) throw arrayError(text, 'unterminated quoted element');
          const ch = text.charCodeAt(pos);
          if (ch === 0x5c /* \ */) {
            value += text.slice(start, pos);
            pos++;
            start = pos;
            pos++;
          } else if (ch === 0x22 /* " */) {
            value += text.slice(start, pos);
            pos++;
            break;
          } else {
            pos++;
          }
        }
        out.push(value);
      } else {
        const start = pos;
        while (pos < text.length && text[pos] !== delimiter && text[pos] !== '}') pos++;
        if (pos >= text.length) throw arrayError(text, 'unterminated array');
        const raw = text.slice(start, pos).trim();
        out.push(raw.length === 4 && raw.toUpperCase() === 'NULL' ? null : raw);
      }
      skipSpace();
      const sep = text[pos];
      if (sep === delimiter) {
        pos++;
        continue;
      }
      if (sep === '}') {
        pos++;
        return out;
      }
      throw arrayError(text, `expected "${delimiter}" or "}" at ${pos}`);
    }
  };
  const result = parseArray();
  skipSpace();
  if (pos !== text.length) throw arrayError(text, `unexpected text after the array at ${pos}`);
  return result;
}

/** How deeply a parsed array nests: 1 for {1,2}, 2 for {{1},{2}}; 1 for {}. */
export function arrayDepth(value: PgArrayValue): number {
  let depth = 1;
  let level: PgArrayValue | string | null = value;
  while (Array.isArray(level) && level.length > 0 && Array.isArray(level[0])) {
    depth++;
    level = level[0];
  }
  return depth;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c;
}

function arrayError(text: string, why: string): Error {
  const shown = text.length > 80 ? `${text.slice(0, 80)}...` : text;
  return new Error(`cannot parse array literal ${JSON.stringify(shown)}: ${why}`);
}
