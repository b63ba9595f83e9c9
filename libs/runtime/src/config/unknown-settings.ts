import { closest, distance } from 'fastest-levenshtein';

/**
 * Families of settings the runtime reads by prefix: converter settings, client overrides, topic
 * creation, and what the worker adds. (Transforms' and predicates' settings are known by name:
 * see stageSettings.)
 */
const RUNTIME_PREFIXES = [
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'consumer.override.',
  'producer.override.',
  'admin.override.',
  'topic.creation.',
  'worker.',
];

export interface UnknownSetting {
  key: string;
  /** A declared setting a few letters away, for "did you mean". */
  suggestion: string | null;
}

/**
 * Settings neither the connector nor the runtime reads: most often typos, which would otherwise
 * be ignored without a word (Kafka Connect logs them as "supplied but isn't a known config").
 */
export function unknownSettings(
  config: Readonly<Record<string, string>>,
  known: ReadonlySet<string>,
  connectorPrefixes: readonly string[],
): UnknownSetting[] {
  const prefixes = [...RUNTIME_PREFIXES, ...connectorPrefixes];
  const names = [...known];
  const out: UnknownSetting[] = [];
  for (const key of Object.keys(config).sort()) {
    if (known.has(key) || prefixes.some((p) => key.startsWith(p))) continue;
    const near = names.length > 0 ? closest(key, names) : null;
    // a few edits at most: further off, a suggestion misleads more than it helps
    const within = Math.max(2, Math.min(3, Math.floor(key.length / 5)));
    out.push({ key, suggestion: near !== null && distance(key, near) <= within ? near : null });
  }
  return out;
}

/** "tpoics (did you mean topics?), colour" */
export function describeUnknown(unknown: readonly UnknownSetting[]): string {
  return unknown.map((u) => (u.suggestion ? `${u.key} (did you mean ${u.suggestion}?)` : u.key)).join(', ');
}
