import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.js';
import { parseConnectorFile, readConnectorFile, validateConnectorName } from './connector-file.js';

const FILE = 'orders.yaml';

function problemsOf(text: string): { field: string; line?: number; message: string; file?: string }[] {
  try {
    parseConnectorFile(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('parseConnectorFile', () => {
  it('flattens nested and dotted keys to Kafka Connect keys, in file order', () => {
    const parsed = parseConnectorFile(
      `name: orders-to-file
config:
  connector.class: file-sink
  tasks.max: 2
  transforms:
    addTs:
      type: InsertField$Value
      timestamp.field: ts
  errors: { tolerance: all, deadletterqueue.topic.name: dlq }
`,
      FILE,
    );
    expect(parsed.name).toBe('orders-to-file');
    expect(Object.entries(parsed.config)).toEqual([
      ['connector.class', 'file-sink'],
      ['tasks.max', '2'],
      ['transforms.addTs.type', 'InsertField$Value'],
      ['transforms.addTs.timestamp.field', 'ts'],
      ['errors.tolerance', 'all'],
      ['errors.deadletterqueue.topic.name', 'dlq'],
    ]);
  });

  it('lets a list of aliases sit beside their nested settings', () => {
    const parsed = parseConnectorFile(
      `name: a
config:
  transforms: [addTs, route]
  transforms.addTs:
    type: InsertField
  transforms.route.type: RegexRouter
`,
      FILE,
    );
    expect(parsed.config).toEqual({
      transforms: 'addTs,route',
      'transforms.addTs.type': 'InsertField',
      'transforms.route.type': 'RegexRouter',
    });
  });

  it('keeps numbers and booleans as written, lists joined with commas, strings decoded', () => {
    const parsed = parseConnectorFile(
      `name: a
config:
  int: 10
  float: 1.50
  exp: 1e3
  hex: 0x1F
  yes: true
  caps: False
  quoted: "007"
  list: [a, 2, true]
  block:
    - x
    - y
  empty.list: []
  empty.string: ''
  multi: |
    line1
    line2
  anchor: &a shared
  alias: *a
`,
      FILE,
    );
    expect(parsed.config).toEqual({
      int: '10',
      float: '1.50',
      exp: '1e3',
      hex: '0x1F',
      yes: 'true',
      caps: 'False',
      quoted: '007',
      list: 'a,2,true',
      block: 'x,y',
      'empty.list': '',
      'empty.string': '',
      multi: 'line1\nline2\n',
      anchor: 'shared',
      alias: 'shared',
    });
  });

  it('keeps numeric keys as written and __proto__ as data', () => {
    const parsed = parseConnectorFile('name: a\nconfig:\n  retry:\n    3: x\n  __proto__: y\n', FILE);
    expect(parsed.config['retry.3']).toBe('x');
    expect(Object.hasOwn(parsed.config, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed.config)).toBe(Object.prototype);
  });

  it('reports a nested/dotted clash at the second key, naming the first line', () => {
    const problems = problemsOf(`name: a
config:
  transforms.addTs.type: A
  transforms:
    addTs:
      type: B
`);
    expect(problems).toEqual([
      expect.objectContaining({ field: 'config.transforms.addTs.type', line: 6, file: FILE }),
    ]);
    expect(problems[0]!.message).toContain('line 3');
  });

  it('reports every problem at once, each with its line and field', () => {
    const problems = problemsOf(`name: ""
extra: 1
config:
  ok: 1
  nothing:
  nested: {}
  list: [a, [b]]
  commas: ["a,b"]
`);
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ['name', 1],
      ['extra', 2],
      ['config.nothing', 5],
      ['config.nested', 6],
      ['config.list', 7],
      ['config.commas', 8],
    ]);
    expect(problems.every((p) => p.file === FILE)).toBe(true);
    expect(problems[2]!.message).toContain("''");
  });

  it('says to quote a value YAML reads as an alias, such as an unquoted glob', () => {
    expect(problemsOf('name: a\nconfig:\n  topic: t\n  glob: *.txt\n  exts: [a, *.csv]\n')).toEqual([
      expect.objectContaining({
        field: 'config.glob',
        line: 4,
        message: "*.txt reads as a YAML alias (a reference to an &anchor): quote it, as '*.txt'",
      }),
      expect.objectContaining({ field: 'config.exts', line: 5, message: expect.stringContaining("'*.csv'") }),
    ]);
  });

  it('reports YAML syntax errors with their line and nothing else', () => {
    const problems = problemsOf('name: a\nconfig:\n  a: 1\n  a: 2\n');
    expect(problems).toEqual([expect.objectContaining({ field: '(yaml)', line: 4, file: FILE })]);
    expect(problems[0]!.message).not.toMatch(/at line/);
    expect(problemsOf('name: a\nconfig:\n  a: [1,\n  b: 2\n')[0]).toEqual(
      expect.objectContaining({ field: '(yaml)', line: expect.any(Number) }),
    );
  });

  it('reports a line indented deeper than the key above it at that line, once', () => {
    const problems = problemsOf('name: a\nconfig:\n  topic: t\n     path: /tmp\n  batch.size: 3\n');
    expect(problems).toEqual([
      expect.objectContaining({
        field: '(yaml)',
        line: 4,
        message: expect.stringMatching(/^indented deeper than line 3,/),
      }),
    ]);
  });

  it('requires a mapping with name and a non-empty config', () => {
    expect(problemsOf('').map((p) => p.field)).toEqual(['(root)']);
    expect(problemsOf('- a\n').map((p) => p.field)).toEqual(['(root)']);
    expect(problemsOf('config:\n  a: 1\n').map((p) => p.field)).toEqual(['name']);
    expect(problemsOf('name: a\n').map((p) => p.field)).toEqual(['config']);
    expect(problemsOf('name: a\nconfig:\n').map((p) => [p.field, p.line])).toEqual([['config', 2]]);
    expect(problemsOf('name: a\nconfig: x\n').map((p) => [p.field, p.line])).toEqual([['config', 2]]);
  });

  it('rejects a config.name that disagrees with the name, as Kafka Connect does', () => {
    expect(problemsOf('name: a\nconfig:\n  name: b\n')).toEqual([
      expect.objectContaining({ field: 'config.name', line: 3 }),
    ]);
    expect(parseConnectorFile('name: a\nconfig:\n  name: a\n', FILE).config).toEqual({ name: 'a' });
  });

  it('records the line of every field for errors found later', () => {
    const parsed = parseConnectorFile('# c\nname: a\nconfig:\n  x:\n    y: 1\n  z: 2\n', FILE);
    expect(Object.fromEntries(parsed.lines)).toEqual({ name: 2, config: 3, 'config.x.y': 5, 'config.z': 6 });
  });
});

describe('connector names', () => {
  it.each([
    ['orders', undefined],
    ['orders to file (v2).ü', undefined],
    ['a.b-c_d', undefined],
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['a/b', "'/'"],
    ['a\tb', 'U+0009'],
    ['a\u007fb', 'U+007F'],
    ['a\u0085b', 'U+0085'],
  ])('%j → %s', (name, expected) => {
    const message = validateConnectorName(name);
    if (expected === undefined) expect(message).toBeUndefined();
    else expect(message).toContain(expected);
  });

  it('trims the name like the REST layer, and rejects non-strings', () => {
    expect(parseConnectorFile('name: "  a  "\nconfig: { x: 1 }\n', FILE).name).toBe('a');
    expect(problemsOf('name: 12\nconfig: { x: 1 }\n')).toEqual([
      expect.objectContaining({ field: 'name', line: 1, message: expect.stringContaining('quote') }),
    ]);
    expect(problemsOf('name: "a\\u0000"\nconfig: { x: 1 }\n')).toEqual([
      expect.objectContaining({ field: 'name', line: 1 }),
    ]);
    expect(problemsOf('name: a/b\nconfig: { x: 1 }\n')).toEqual([expect.objectContaining({ field: 'name' })]);
  });
});

describe('readConnectorFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-connector-file-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a file whose name need not match the connector', async () => {
    const file = path.join(dir, 'whatever.yml');
    fs.writeFileSync(file, 'name: other\nconfig:\n  a: 1\n');
    await expect(readConnectorFile(file)).resolves.toEqual(
      expect.objectContaining({ file, name: 'other', config: { a: '1' } }),
    );
  });

  it('reports an unreadable file as a ConfigError', async () => {
    const file = path.join(dir, 'missing.yaml');
    await expect(readConnectorFile(file)).rejects.toEqual(
      expect.objectContaining({
        name: 'ConfigError',
        problems: [expect.objectContaining({ field: '(file)', file })],
      }),
    );
  });
});
