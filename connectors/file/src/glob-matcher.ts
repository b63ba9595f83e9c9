/*
 * A small glob matcher for the source's `glob` setting (chokidar 4+ dropped glob support). Paths
 * are relative to the watched directory, with `/` between segments.
 *
 *   *        any run of characters within one segment     ?       one character within a segment
 *   **       any number of whole segments (as `a/**` or `**` + `/b`)
 *   [abc]    one of; [!abc] or [^abc] none of; ranges as [a-z]
 *   {a,b}    either alternative (alternatives may hold globs, braces may nest)
 *   \x       x literally
 *
 * As in shells, a wildcard at the start of a segment does not match a leading dot, so `*` skips
 * hidden files (editors' swap files, a sink's `.sluice-state` files).
 */

export interface GlobMatcher {
  readonly glob: string;
  matches(relativePath: string): boolean;
  /** How many directory levels below the root a match can lie; undefined: any (the glob has `**`). */
  readonly maxDepth: number | undefined;
}

export function compileGlob(glob: string): GlobMatcher {
  if (glob === '') throw new Error('glob must not be empty');
  const regex = new RegExp(`^${translate(glob, 0, glob.length)}$`);
  const maxDepth = glob.includes('**') ? undefined : countSeparators(glob);
  return { glob, maxDepth, matches: (path) => regex.test(path) };
}

function countSeparators(glob: string): number {
  let n = 0;
  for (const ch of glob) if (ch === '/') n++;
  return n;
}

const SPECIAL = /[.+^$()|\\/[\]{}*?]/;

function escapeChar(ch: string): string {
  return SPECIAL.test(ch) ? `\\${ch}` : ch;
}

/** Regex source for glob[start, end); `segmentStart`: glob[start] begins a path segment. */
function translate(glob: string, start: number, end: number, segmentStart = true): string {
  let out = '';
  let i = start;
  while (i < end) {
    const ch = glob[i]!;
    const atSegmentStart = i === start ? segmentStart : glob[i - 1] === '/';
    if (ch === '\\' && i + 1 < end) {
      out += escapeChar(glob[i + 1]!);
      i += 2;
    } else if (
      ch === '*' &&
      glob[i + 1] === '*' &&
      atSegmentStart &&
      (i + 2 === end || glob[i + 2] === '/')
    ) {
      // `**/` matches zero or more whole segments; a trailing `**` matches the rest of the path.
      if (i + 2 === end) {
        out += '(?!\\.)(?:[^/]*(?:/(?!\\.)[^/]*)*)?';
        i += 2;
      } else {
        out += '(?:(?!\\.)[^/]*/)*';
        i += 3;
      }
    } else if (ch === '*') {
      out += `${atSegmentStart ? '(?!\\.)' : ''}[^/]*`;
      while (glob[i] === '*') i++;
    } else if (ch === '?') {
      out += `${atSegmentStart ? '(?!\\.)' : ''}[^/]`;
      i++;
    } else if (ch === '[') {
      const close = findClass(glob, i, end);
      if (close < 0) {
        out += '\\[';
        i++;
        continue;
      }
      let body = glob.slice(i + 1, close);
      let negate = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        negate = true;
        body = body.slice(1);
      }
      const escaped = body.replace(/[\\\]^]/g, (c) => `\\${c}`);
      out += negate ? `(?!/)[^${escaped}]` : `[${escaped}]`;
      i = close + 1;
    } else if (ch === '{') {
      const alternatives = splitBraces(glob, i, end);
      if (!alternatives) {
        out += '\\{';
        i++;
        continue;
      }
      const inner = alternatives.parts.map(([s, e]) => translate(glob, s, e, atSegmentStart));
      out += `(?:${inner.join('|')})`;
      i = alternatives.close + 1;
    } else {
      out += escapeChar(ch);
      i++;
    }
  }
  return out;
}

/** Index of the `]` closing the class opened at `open`, or -1. A `]` right after `[` or `[!` is literal. */
function findClass(glob: string, open: number, end: number): number {
  let i = open + 1;
  if (glob[i] === '!' || glob[i] === '^') i++;
  if (glob[i] === ']') i++;
  for (; i < end; i++) {
    if (glob[i] === '/') return -1;
    if (glob[i] === ']') return i;
  }
  return -1;
}

/** The top-level comma-separated ranges inside the brace group opened at `open`, or null if unclosed. */
function splitBraces(
  glob: string,
  open: number,
  end: number,
): { parts: [number, number][]; close: number } | null {
  const parts: [number, number][] = [];
  let depth = 0;
  let partStart = open + 1;
  for (let i = open + 1; i < end; i++) {
    const ch = glob[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    else if (ch === '}') {
      parts.push([partStart, i]);
      return { parts, close: i };
    } else if (ch === ',' && depth === 0) {
      parts.push([partStart, i]);
      partStart = i + 1;
    }
  }
  return null;
}
