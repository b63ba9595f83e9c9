import fs from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, parseDocument, type Node } from 'yaml';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { parseProperties } from './properties-format.js';

/**
 * Config providers: `${provider:path:key}` references inside connector config values, Kafka's
 * ConfigProvider syntax. Two forms of a config exist and must stay apart:
 *
 * - the templated config, as the user wrote it, is what the herder persists in the configs topic
 *   and what the REST API and the logs show, so a secret never lands in either;
 * - the resolved config, from resolveConfig(), goes to connectors and tasks only, in memory.
 *
 * Built in:
 * - `${env:NAME}`: the environment variable NAME.
 * - `${file:PATH:KEY}`: KEY in the file PATH, read as YAML when PATH ends in .yaml/.yml/.json
 *   (nested keys addressed with dots) and as Java properties otherwise, as Kafka's FileConfigProvider.
 * - `${file:PATH}`: the whole file, trimmed (a secret mounted as a file, e.g. by Kubernetes).
 *
 * `$${...}` stands for a literal `${...}`. References to providers that are not configured are left
 * as written, as Kafka does, so values that happen to contain `${x:y}` keep working.
 */
export interface ConfigProvider {
  /**
   * The value of one reference: `path` is the middle part of `${provider:path:key}`, undefined in
   * `${provider:key}`. Throws when the value does not exist or cannot be read, with a message
   * that must never contain a secret (it is logged and answered over REST).
   */
  get(path: string | undefined, key: string): Promise<string> | string;
}

export interface ResolveConfigOptions {
  /** Where `${env:...}` reads; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Relative `${file:...}` paths resolve against this; the working directory by default. */
  baseDir?: string;
  /**
   * When set, `${file:...}` may read only inside these directories (Kafka's `allowed.paths`), so a
   * connector config cannot pull arbitrary files of the worker's host into a connector.
   */
  allowedPaths?: readonly string[];
  /** More providers by name, or replacements for `env` and `file`. */
  providers?: Readonly<Record<string, ConfigProvider>>;
  /** Told each reference and the value it gave, so that messages can show the one, never the other. */
  onValue?: (reference: string, value: string) => void;
}

/** Provider names resolved when no others are configured. */
export const BUILT_IN_PROVIDERS: readonly string[] = ['env', 'file'];

// Kafka's ConfigTransformer pattern (`${provider:[path:]key}`, lazy, so the first ':' ends the
// provider and the second the path), preceded by the `$${...}` escape of the same shape.
const REFERENCE = /\$(\$\{[^}]*?:[^}]*?\})|\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

/** True when `value` holds at least one (unescaped) reference to one of `providers`. */
export function hasProviderReferences(
  value: string,
  providers: Iterable<string> = BUILT_IN_PROVIDERS,
): boolean {
  const names = new Set(providers);
  for (const match of value.matchAll(REFERENCE)) {
    if (match[1] === undefined && names.has(match[2]!)) return true;
  }
  return false;
}

/**
 * The config with every reference replaced by its value; the input is not changed. References are
 * resolved once: a resolved value containing `${...}` stays as it is, so an environment variable
 * cannot smuggle in a file reference. Throws ConfigError naming every config key whose references
 * failed (never the values).
 */
export async function resolveConfig(
  config: Readonly<Record<string, string>>,
  options: ResolveConfigOptions = {},
): Promise<Record<string, string>> {
  const providers: Record<string, ConfigProvider> = {
    env: envProvider(options.env ?? process.env),
    file: fileProvider(options.baseDir ?? process.cwd(), options.allowedPaths),
    ...options.providers,
  };
  const problems: ConfigProblem[] = [];
  const entries = await Promise.all(
    Object.entries(config).map(async ([key, value]): Promise<[string, string]> => {
      if (!value.includes('${')) return [key, value];
      const parts: (string | Promise<string>)[] = [];
      let last = 0;
      for (const match of value.matchAll(REFERENCE)) {
        parts.push(value.slice(last, match.index));
        last = match.index + match[0].length;
        const [reference, escaped, providerName, refPath, refKey] = match;
        const provider =
          providerName !== undefined && Object.hasOwn(providers, providerName)
            ? providers[providerName]
            : undefined;
        if (escaped !== undefined || !provider) {
          parts.push(escaped ?? reference);
          continue;
        }
        parts.push(
          Promise.resolve()
            .then(() => provider.get(refPath, refKey!))
            .then((got) => {
              options.onValue?.(reference, got);
              return got;
            })
            .catch((err: unknown) => {
              problems.push({
                field: key,
                message: `${reference} cannot be resolved: ${err instanceof Error ? err.message : String(err)}`,
              });
              return '';
            }),
        );
      }
      parts.push(value.slice(last));
      return [key, (await Promise.all(parts)).join('')];
    }),
  );
  if (problems.length > 0) {
    const order = Object.keys(config);
    problems.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
    throw new ConfigError(problems, 'config providers');
  }
  return Object.fromEntries(entries);
}

function envProvider(env: Readonly<Record<string, string | undefined>>): ConfigProvider {
  return {
    get(refPath, key) {
      if (refPath !== undefined) throw new Error('env references take no path: write ${env:NAME}');
      const value = Object.hasOwn(env, key) ? env[key] : undefined;
      if (value === undefined) throw new Error(`environment variable ${key} is not set`);
      return value;
    },
  };
}

/** Reads each file once per resolveConfig() call, so a config with many keys from one file sees one version of it. */
function fileProvider(baseDir: string, allowedPaths: readonly string[] | undefined): ConfigProvider {
  const texts = new Map<string, Promise<string>>();
  const read = (file: string): Promise<string> => {
    let text = texts.get(file);
    if (!text) {
      text = fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new Error(`cannot read ${file} (${err.code ?? err.message})`);
      });
      texts.set(file, text);
    }
    return text;
  };
  const allowed = allowedPaths?.map((p) => path.resolve(baseDir, p));
  const inside = (file: string, roots: readonly string[]): boolean =>
    roots.some((root) => file === root || file.startsWith(root + path.sep));
  // real paths, so that a symbolic link under an allowed path cannot lead out of it
  let realRoots: Promise<string[]> | null = null;
  const allowedRealPaths = (): Promise<string[]> =>
    (realRoots ??= Promise.all(allowed!.map((root) => fs.realpath(root).catch(() => null))).then((r) =>
      r.filter((root): root is string => root !== null),
    ));

  const locate = async (ref: string): Promise<string> => {
    const file = path.resolve(baseDir, ref);
    if (!allowed) return file;
    if (!inside(file, allowed)) throw new Error(`${file} is outside the allowed paths`);
    const real = await fs.realpath(file).catch(() => file);
    if (!inside(real, await allowedRealPaths())) throw new Error(`${file} is outside the allowed paths`);
    return real;
  };

  return {
    async get(refPath, key) {
      if (refPath === undefined) {
        // `${file:PATH}`: the whole file, e.g. a mounted secret; trimmed because such files usually end in a newline.
        return (await read(await locate(key))).trim();
      }
      const file = await locate(refPath);
      const value = parseKeyedFile(file, await read(file)).get(key);
      if (value === undefined) throw new Error(`key "${key}" not found in ${file}`);
      return value;
    },
  };
}

/** The keys of a properties or YAML/JSON file; nested YAML keys are joined with dots. */
function parseKeyedFile(file: string, text: string): ReadonlyMap<string, string> {
  if (!/\.(ya?ml|json)$/i.test(file)) return parseProperties(text);
  const doc = parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    // The parser's message quotes the source around the error: give only the position, it may be a secret.
    throw new Error(`cannot parse ${file} as YAML/JSON (line ${error.linePos?.[0]?.line ?? '?'})`);
  }
  const keys = new Map<string, string>();
  const walk = (node: Node | null | undefined, prefix: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (k !== undefined) walk(pair.value as Node | null, prefix ? `${prefix}.${k}` : k);
      }
    } else if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      keys.set(prefix, typeof node.value === 'string' ? node.value : (node.source ?? String(node.value)));
    }
  };
  walk(doc.contents as Node | null, '');
  return keys;
}
