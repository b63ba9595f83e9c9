import type { YAMLError } from 'yaml';

export interface YamlSyntaxProblem {
  message: string;
  line?: number;
}

/**
 * The parser's errors as one line each, at the line to fix. A line indented deeper than the key
 * above it makes the parser see that key's value run on into a mapping: it reports two errors at
 * the key's line, neither naming the line that is wrong. They become one problem at that line.
 */
export function yamlSyntaxProblems(errors: readonly YAMLError[]): YamlSyntaxProblem[] {
  const problems: YamlSyntaxProblem[] = [];
  const overIndented = new Set<number>();
  for (const e of errors) {
    const [start, end] = e.linePos ?? [];
    if (e.code === 'MULTILINE_IMPLICIT_KEY' && start && end && end.line > start.line) {
      overIndented.add(start.line);
      problems.push({
        message: `indented deeper than the key on line ${start.line}: align it with the keys beside it`,
        line: end.line,
      });
    }
  }
  for (const e of errors) {
    const line = e.linePos?.[0]?.line;
    if (line !== undefined && overIndented.has(line)) continue;
    problems.push({
      message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      ...(line === undefined ? {} : { line }),
    });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
