import fs from 'node:fs/promises';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { yamlSyntaxProblems } from './yaml-syntax-problems.js';
import { ConfigError, type ConfigProblem } from './config-error.js';

/**
 * One connector declared in a YAML file (config/connectors/*.yaml):
 *
 * ```yaml
 * name: orders-to-file
 * config:
 *   connector.class: file-sink
 *   topics: [orders, refunds]        # → "orders,refunds"
 *   transforms: addTs
 *   transforms.addTs:                # nested and dotted keys mix freely
 *     type: InsertField$Value
 *     timestamp.field: ts            # → transforms.addTs.timestamp.field
 * ```
 *
 * The config is flattened to Kafka Connect's dotted string keys, so a YAML file and a REST body
 * describe the same connector.
 */
export interface ConnectorFile {
  /** The file as given to the loader. */
  file: string;
  name: string;
  /** Flattened and stringified, `${...}` references left as written (see config-providers). */
  config: Record<string, string>;
  /**
   * Line of each field (`name`, `config`, and `config.<flattened key>`), so errors found later,
   * e.g. by the herder's validation of the flattened config, can still point into the file.
   */
  lines: ReadonlyMap<string, number>;
}

/** Kafka Connect's rule (ConnectorConfig's NonEmptyStringWithoutControlChars, plus the REST layer's '/'). */
export function validateConnectorName(name: string): string | undefined {
  if (name.trim() === '') return 'must not be empty';
  // ISO control characters, as Java's Character.isISOControl: C0, DEL and C1
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(name);
  if (control)
    return `must not contain control characters (found U+${control[0].codePointAt(0)!.toString(16).padStart(4, '0').toUpperCase()})`;
  if (name.includes('/')) return "must not contain '/' (it would break the REST paths /connectors/{name})";
  return undefined;
}

/** Reads and parses a connector file; throws ConfigError with every problem (file and line on each). */
export async function readConnectorFile(file: string): Promise<ConnectorFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ field: '(file)', message: (err as Error).message, file }], file);
  }
  return parseConnectorFile(text, file);
}

/** Parses the text of a connector file; `file` only labels the errors and the result. */
/**
 * Whether a YAML (or JSON) text is a connector file rather than a worker file: a mapping with
 * `name` or `config` at its top, which worker.yaml never has. A connector file with a misspelt
 * key keeps the other one, and is then reported as a connector file.
 */
export function isConnectorFileText(text: string): boolean {
  const root = parseDocument(text).contents;
  return (
    isMap(root) && root.items.some((p) => isScalar(p.key) && ['name', 'config'].includes(String(p.key.value)))
  );
}

export function parseConnectorFile(text: string, file: string): ConnectorFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number | undefined => {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : counter.linePos(offset).line;
  };
  const problems: ConfigProblem[] = [];
  const problem = (field: string, message: string, line: number | undefined): void => {
    problems.push({ field, message, file, ...(line === undefined ? {} : { line }) });
  };

  if (doc.errors.length > 0) {
    // The structure is unreliable after a syntax error: report only those, positioned by the parser.
    for (const { message, line } of yamlSyntaxProblems(doc.errors, text)) problem('(yaml)', message, line);
    throw new ConfigError(problems, file);
  }

  const root = doc.contents;
  if (!isMap(root)) {
    problem('(root)', 'expected a mapping with `name` and `config`', lineOf(root) ?? 1);
    throw new ConfigError(problems, file);
  }

  const lines = new Map<string, number>();
  let name: string | undefined;
  let configNode: Node | null | undefined;
  let sawName = false;
  let sawConfig = false;
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? keyNode.value : undefined;
    const line = lineOf(keyNode) ?? lineOf(pair.value as Node | null);
    if (key === 'name') {
      sawName = true;
      if (line !== undefined) lines.set('name', line);
      const value = deref(doc, pair.value as Node | null);
      if (!isScalar(value) || typeof value.value !== 'string') {
        problem('name', 'must be a string (quote it if it looks like a number or boolean)', line);
        continue;
      }
      // Kafka Connect's REST layer trims the name of a new connector; do the same so both agree.
      const trimmed = value.value.trim();
      const invalid = validateConnectorName(trimmed);
      if (invalid) problem('name', invalid, lineOf(value) ?? line);
      else name = trimmed;
    } else if (key === 'config') {
      sawConfig = true;
      if (line !== undefined) lines.set('config', line);
      configNode = deref(doc, pair.value as Node | null);
    } else {
      problem(
        isScalar(keyNode) ? String(key) : '(key)',
        'unknown key; a connector file has only `name` and `config` (connector settings go under `config`)',
        line,
      );
    }
  }
  if (!sawName) problem('name', 'is required', lineOf(root) ?? 1);
  if (!sawConfig) problem('config', 'is required', lineOf(root) ?? 1);

  const config = new Map<string, string>();
  if (sawConfig) {
    if (!isMap(configNode) || configNode.items.length === 0) {
      problem(
        'config',
        'must be a non-empty mapping of connector settings',
        lineOf(configNode) ?? lines.get('config'),
      );
    } else {
      flatten(doc, configNode, '', config, lines, problem, lineOf);
    }
  }

  const configName = config.get('name');
  if (name !== undefined && configName !== undefined && configName !== name) {
    // Kafka Connect rejects the same mismatch between the URL and the body.
    problem(
      'config.name',
      `is "${configName}" but the connector is named "${name}"`,
      lines.get('config.name'),
    );
  }

  if (problems.length > 0) throw new ConfigError(problems, file);
  return {
    file,
    name: name!,
    // fromEntries defines own properties, so a key such as `__proto__` survives as data
    config: Object.fromEntries(config),
    lines,
  };
}

type ProblemSink = (field: string, message: string, line: number | undefined) => void;

function deref(doc: Document, node: Node | null | undefined): Node | null | undefined {
  return isAlias(node) ? (node.resolve(doc) ?? null) : node;
}

/**
 * The problem with an alias no anchor defines: an unquoted value starting with '*' (a glob such
 * as *.txt) is one, and would otherwise read as a missing value.
 */
function unknownAlias(doc: Document, node: Node | null | undefined): string | null {
  if (!isAlias(node) || node.resolve(doc) !== undefined) return null;
  const written = `*${node.source}`;
  return `${written} reads as a YAML alias (a reference to an &anchor): quote it, as '${written}'`;
}

/** Text of a scalar as Kafka Connect expects it: strings decoded, numbers and booleans as written. */
function scalarText(value: unknown, source: string | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return source ?? String(value);
  }
  return undefined;
}

function flatten(
  doc: Document,
  map: Node,
  prefix: string,
  out: Map<string, string>,
  lines: Map<string, number>,
  problem: ProblemSink,
  lineOf: (node: Node | null | undefined) => number | undefined,
): void {
  if (!isMap(map)) return;
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const keyLine = lineOf(keyNode) ?? lineOf(pair.value as Node | null);
    const keyText = isScalar(keyNode) ? scalarText(keyNode.value, keyNode.source) : undefined;
    if (keyText === undefined || keyText === '') {
      problem(`config${prefix ? `.${prefix}` : ''}`, 'keys must be non-empty strings', keyLine);
      continue;
    }
    const key = prefix ? `${prefix}.${keyText}` : keyText;
    const field = `config.${key}`;
    const alias = unknownAlias(doc, pair.value as Node | null);
    if (alias) {
      problem(field, alias, keyLine);
      continue;
    }
    const value = deref(doc, pair.value as Node | null);

    if (isMap(value)) {
      if (value.items.length === 0) {
        problem(field, 'is an empty mapping (give it keys or remove it)', keyLine);
        continue;
      }
      flatten(doc, value, key, out, lines, problem, lineOf);
      continue;
    }

    let text: string | undefined;
    if (isSeq(value)) {
      const items: string[] = [];
      for (const item of value.items) {
        const alias = unknownAlias(doc, item as Node | null);
        if (alias) {
          problem(field, alias, lineOf(item as Node | null) ?? keyLine);
          continue;
        }
        const node = deref(doc, item as Node | null);
        const itemText = isScalar(node) ? scalarText(node.value, node.source) : undefined;
        if (itemText === undefined) {
          problem(
            field,
            'list items must be plain values (strings, numbers or booleans)',
            lineOf(node) ?? keyLine,
          );
        } else if (itemText.includes(',')) {
          // Kafka Connect's LIST type splits on commas, so the item would silently become several.
          problem(field, `list item "${itemText}" contains a comma`, lineOf(node) ?? keyLine);
        } else {
          items.push(itemText);
        }
      }
      if (items.length !== value.items.length) continue;
      text = items.join(',');
    } else if (isScalar(value)) {
      text = scalarText(value.value, value.source);
      if (text === undefined) {
        problem(
          field,
          value.value === null || value.value === undefined
            ? "has no value (write '' for an empty string)"
            : 'must be a string, number, boolean or list',
          keyLine,
        );
        continue;
      }
    } else {
      problem(field, "has no value (write '' for an empty string)", keyLine);
      continue;
    }

    const earlier = lines.get(field);
    if (out.has(key)) {
      problem(
        field,
        `is set twice (also at line ${earlier ?? '?'}), e.g. once nested and once dotted`,
        keyLine,
      );
      continue;
    }
    out.set(key, text);
    if (keyLine !== undefined) lines.set(field, keyLine);
  }
}
