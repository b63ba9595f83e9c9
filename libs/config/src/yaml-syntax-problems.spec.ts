import { describe, expect, it } from '@jest/globals';
import { LineCounter, parseDocument } from 'yaml';
import { yamlSyntaxProblems } from './yaml-syntax-problems.js';

const problemsOf = (text: string) =>
  yamlSyntaxProblems(parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true }).errors, text);

describe('yamlSyntaxProblems', () => {
  it('reports a line indented deeper than the one above at that line, once', () => {
    expect(problemsOf('name: a\nconfig:\n  topic: t\n     path: /tmp\n  batch.size: 3\n')).toEqual([
      { line: 4, message: expect.stringMatching(/^indented deeper than line 3, so it reads as the rest/) },
    ]);
    // two such lines: the first is the one to fix
    expect(problemsOf('name: a\nconfig:\n  topic: t\n     path: /tmp\n     glob: a\n  x: 1\n')).toEqual([
      { line: 4, message: expect.stringMatching(/^indented deeper than line 3/) },
    ]);
    // under a list item too
    expect(problemsOf('name: a\nconfig:\n  transforms:\n    - a\n      type: x\n')).toEqual([
      { line: 5, message: expect.stringMatching(/^indented deeper than line 4/) },
    ]);
  });

  it("reports a key without its ':' at its own line", () => {
    expect(problemsOf('name: a\nconfig:\n  topic\n  path: /tmp/x\n')).toEqual([
      { line: 3, message: "no ':' after the key (a mapping's lines are `key: value`)" },
    ]);
  });

  it('points an unclosed quote at the line that opens it', () => {
    expect(problemsOf('name: a\nconfig:\n  topic: "t\n  path: /tmp\n  glob: a\n')).toEqual([
      { line: 3, message: 'the " opened on this line is never closed' },
    ]);
    expect(problemsOf("name: a\nconfig:\n  topic: 'it''s\n  path: /tmp\n")).toEqual([
      { line: 3, message: "the ' opened on this line is never closed" },
    ]);
  });

  it('names a key that appears twice', () => {
    expect(problemsOf('name: a\nconfig:\n  topic: t\n  path: /x\n  topic: u\n')).toEqual([
      { line: 5, message: 'key topic appears twice in this mapping (the later one would silently win)' },
    ]);
  });

  it('keeps the parser’s own errors when a tab is the cause', () => {
    const problems = problemsOf('name: a\nconfig:\n\ttopic: t\n  path: /tmp\n');
    expect(problems[0]).toEqual({ line: 3, message: 'Tabs are not allowed as indentation' });
    expect(problems.some((p) => /indented deeper/.test(p.message))).toBe(false);
  });
});
