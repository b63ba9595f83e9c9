import fs from 'node:fs';
import path from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { yamlSyntaxProblems } from './yaml-syntax-problems.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { unknownNestedKeys } from './unknown-worker-keys.js';
import { WorkerConfig } from './worker-config.js';

export interface LoadedWorkerConfig {
  config: WorkerConfig;
  /** The file it came from, or null for defaults only. */
  file: string | null;
}

const ENV_PREFIX = 'SLUICE_';

/** Leaf keys that environment variables may override: `rest.port` ← SLUICE_REST_PORT. */
function overridableKeys(): string[] {
  const keys: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      keys.push(prefix);
    }
  };
  walk(JSON.parse(JSON.stringify(new WorkerConfig())), '');
  // no default, so not found above: SLUICE_REST_AUTH_TOKEN keeps the token out of the file
  keys.push('rest.auth.token');
  return keys;
}

export function envNameFor(key: string): string {
  return ENV_PREFIX + key.toUpperCase().replace(/[.-]/g, '_');
}

/**
 * Sets `key` (a known leaf like "log.flush.interval.ms") in `target`, creating the sections the
 * defaults have on the way: the leaf is what remains once no default section matches.
 */
function setPath(
  target: Record<string, unknown>,
  defaults: Record<string, unknown>,
  key: string,
  value: unknown,
): void {
  const parts = key.split('.');
  let node = target;
  let shape: unknown = defaults;
  let i = 0;
  for (; i < parts.length - 1; i++) {
    const next = (shape as Record<string, unknown>)[parts[i]!];
    if (!next || typeof next !== 'object' || Array.isArray(next)) break;
    const existing = node[parts[i]!];
    if (!existing || typeof existing !== 'object' || Array.isArray(existing)) node[parts[i]!] = {};
    node = node[parts[i]!] as Record<string, unknown>;
    shape = next;
  }
  node[parts.slice(i).join('.')] = value;
}

function coerce(raw: string, current: unknown): unknown {
  if (Array.isArray(current))
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (typeof current === 'number' && /^-?\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  if (typeof current === 'boolean') return raw === 'true';
  return raw;
}

function lookup(obj: Record<string, unknown>, key: string): unknown {
  let node: unknown = obj;
  const parts = key.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (!node || typeof node !== 'object') return undefined;
    const rec = node as Record<string, unknown>;
    const rest = parts.slice(i).join('.');
    if (rest in rec) return rec[rest];
    node = rec[parts[i]!];
  }
  return node;
}

/** Line of the YAML node at `field`, when the document has one there. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  field: string,
): number | undefined {
  let node: Node | null | undefined = doc.contents as Node | null;
  const parts = field.split('.');
  for (let i = 0; i < parts.length;) {
    if (!isMap(node)) break;
    // keys may hold dots themselves (`value.converter.schemas.enable`): the longest that is there
    let pair: { key: unknown; value: unknown } | undefined;
    let used = parts.length - i;
    for (; used > 0 && !pair; used--) {
      const key = parts.slice(i, i + used).join('.');
      pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    }
    if (!pair) break;
    i += used + 1;
    node = (pair.value as Node | null) ?? (pair.key as Node);
  }
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

function flattenValidation(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children?.length) out.push(...flattenValidation(e.children, field));
  }
  return out;
}

/**
 * Reads worker.yaml (when `file` is given), applies SLUICE_* environment overrides, and validates
 * the result, reporting every problem with its file and line at once. Relative paths in the config
 * are resolved against the directory the worker runs in.
 */
export function loadWorkerConfig(
  file: string | null,
  env: NodeJS.ProcessEnv = process.env,
): LoadedWorkerConfig {
  let raw: Record<string, unknown> = {};
  let doc: ReturnType<typeof parseDocument> | null = null;
  const counter = new LineCounter();
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError([{ field: '(file)', message: (err as Error).message, file }]);
    }
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(
        yamlSyntaxProblems(doc.errors, text).map((p) => ({ field: '(yaml)', file, ...p })),
      );
    }
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
      throw new ConfigError([{ field: '(root)', message: 'worker config must be a YAML mapping', file }]);
    }
    raw = (value as Record<string, unknown> | null) ?? {};
  }

  const defaults = JSON.parse(JSON.stringify(new WorkerConfig())) as Record<string, unknown>;
  const known = overridableKeys();
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!(key in defaults))
      problems.push({
        field: key,
        message: `unknown key; known: ${Object.keys(defaults).join(', ')}`,
        file: file ?? undefined,
        line: doc ? lineOf(doc, counter, key) : undefined,
      });
  }
  for (const { key, known: near } of unknownNestedKeys(raw))
    problems.push({
      field: key,
      message: `unknown key; known here: ${near.join(', ')}`,
      file: file ?? undefined,
      line: doc ? lineOf(doc, counter, key) : undefined,
    });
  /** Settings an environment variable gave: their problems are that variable's, not the file's. */
  const fromEnv = new Map<string, string>();
  for (const key of known) {
    const value = env[envNameFor(key)];
    if (value === undefined) continue;
    setPath(raw, defaults, key, coerce(value, lookup(defaults, key)));
    fromEnv.set(key, envNameFor(key));
  }

  const config = plainToInstance(WorkerConfig, raw, { exposeDefaultValues: true });
  for (const { field, message } of flattenValidation(validateSync(config))) {
    const variable = fromEnv.get(field);
    problems.push(
      variable !== undefined
        ? { field, message: `${message} (set by the environment variable ${variable})` }
        : { field, message, file: file ?? undefined, line: doc ? lineOf(doc, counter, field) : undefined },
    );
  }
  if (problems.length > 0) throw new ConfigError(problems, file ?? undefined);
  return { config, file: file ? path.resolve(file) : null };
}
