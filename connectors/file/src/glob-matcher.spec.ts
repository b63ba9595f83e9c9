import { describe, expect, it } from '@jest/globals';
import { compileGlob } from './glob-matcher.js';

const table: [glob: string, path: string, matches: boolean][] = [
  ['*.jsonl', 'a.jsonl', true],
  ['*.jsonl', 'a.json', false],
  ['*.jsonl', 'sub/a.jsonl', false],
  ['*.jsonl', '.hidden.jsonl', false],
  ['.*.jsonl', '.hidden.jsonl', true],
  ['*', 'anything.txt', true],
  ['*', '.orders-0.jsonl.sluice-state', false],
  ['app.log', 'app.log', true],
  ['app.log', 'app.log.1', false],
  ['app.log*', 'app.log.1', true],
  ['data-?.csv', 'data-1.csv', true],
  ['data-?.csv', 'data-10.csv', false],
  ['**/*.csv', 'a.csv', true],
  ['**/*.csv', 'x/y/a.csv', true],
  ['**/*.csv', 'x/.git/a.csv', false],
  ['logs/**', 'logs/a/b.txt', true],
  ['logs/**', 'other/b.txt', false],
  ['*.{csv,tsv}', 'a.tsv', true],
  ['*.{csv,tsv}', 'a.txt', false],
  ['{a,b/*}.txt', 'b/c.txt', true],
  ['{*.log,*.txt}', '.x.log', false],
  ['[ab].txt', 'a.txt', true],
  ['[!ab].txt', 'a.txt', false],
  ['[!ab].txt', 'c.txt', true],
  ['[a-c]1', 'b1', true],
  ['file(1).txt', 'file(1).txt', true],
  ['a+b.txt', 'aab.txt', false],
  ['\\*.txt', '*.txt', true],
  ['\\*.txt', 'a.txt', false],
  ['[unclosed', '[unclosed', true],
];

describe('compileGlob', () => {
  it.each(table)('%s against %s: %s', (glob, path, expected) => {
    expect(compileGlob(glob).matches(path)).toBe(expected);
  });

  it('limits the watch depth unless ** is used', () => {
    expect(compileGlob('*.csv').maxDepth).toBe(0);
    expect(compileGlob('in/*.csv').maxDepth).toBe(1);
    expect(compileGlob('**/*.csv').maxDepth).toBeUndefined();
  });
});
