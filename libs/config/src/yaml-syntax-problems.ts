import type { YAMLError } from 'yaml';

export interface YamlSyntaxProblem {
  message: string;
  line?: number;
}

/** The parser's two errors for a value that runs on into the next line, reported at the first. */
const RUN_ON = new Set(['MULTILINE_IMPLICIT_KEY', 'BLOCK_AS_IMPLICIT_KEY']);

/**
 * The parser's errors as one line each, at the line to fix. When a value runs on into the next
 * line, the parser reports two errors at the line the value starts on, neither saying why. The
 * usual causes get one problem of their own instead:
 *   - the next line is indented deeper than this one: reported at the next line;
 *   - this line has no ':' (a key without its colon): reported here.
 * A tab used as indentation is reported as the parser does: that is the cause then.
 */
export function yamlSyntaxProblems(errors: readonly YAMLError[], text: string): YamlSyntaxProblem[] {
  const lines = text.split(/\r?\n/);
  const lineText = (n: number): string => lines[n - 1] ?? '';
  const indent = (n: number): number => /^ */.exec(lineText(n))![0].length;
  const problems: YamlSyntaxProblem[] = [];
  /** Lines whose run-on errors a problem above explains. */
  const explained = new Set<number>();
  const tabs = errors.some((e) => e.code === 'TAB_AS_INDENT');
  for (const e of errors) {
    const [start, end] = e.linePos ?? [];
    if (tabs || e.code !== 'MULTILINE_IMPLICIT_KEY' || !start || !end || end.line <= start.line) continue;
    if (explained.has(start.line)) continue;
    if (indent(end.line) > indent(start.line)) {
      problems.push({
        message: `indented deeper than line ${start.line}, so it reads as the rest of that line's value: align it with the lines beside it`,
        line: end.line,
      });
      explained.add(start.line).add(end.line);
    } else if (!hasColon(lineText(start.line))) {
      problems.push({
        message: "no ':' after the key (a mapping's lines are `key: value`)",
        line: start.line,
      });
      explained.add(start.line);
    }
  }
  for (const e of errors) {
    const line = e.linePos?.[0]?.line;
    if (line !== undefined && explained.has(line) && RUN_ON.has(e.code)) continue;
    const quote = e.code === 'MISSING_CHAR' ? /closing (["'])quote/.exec(e.message)?.[1] : undefined;
    const opened = quote ? lineOpening(lines, quote) : null;
    if (opened !== null) {
      problems.push({ message: `the ${quote} opened on this line is never closed`, line: opened });
      continue;
    }
    const key = e.code === 'DUPLICATE_KEY' && line !== undefined ? keyOf(lineText(line)) : null;
    problems.push({
      message: key
        ? `key ${key} appears twice in this mapping (the later one would silently win)`
        : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      ...(line === undefined ? {} : { line }),
    });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Whether a line has a key's colon: ':' before a space or the end, outside a comment. */
function hasColon(line: string): boolean {
  const content = line.replace(/\s#.*$/, '');
  return /:(\s|$)/.test(content);
}

/** The key a `key: value` line starts with, as written. */
function keyOf(line: string): string | null {
  return /^\s*(?:-\s+)?([^\s:#][^:#]*?)\s*:(\s|$)/.exec(line)?.[1] ?? null;
}

/**
 * The line (1-based) that opens the quote a parser found unclosed at the end of the text: the last
 * line holding an odd count of that quote character (escaped \" and doubled '' not counted).
 */
function lineOpening(lines: readonly string[], quote: string): number | null {
  for (let n = lines.length; n >= 1; n--) {
    const content = lines[n - 1]!.replace(quote === '"' ? /\\./g : /''/g, '');
    if ((content.split(quote).length - 1) % 2 === 1) return n;
  }
  return null;
}
