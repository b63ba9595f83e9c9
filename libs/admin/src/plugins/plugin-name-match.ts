import type { PluginInfo } from '@sluice/runtime';

/** Kafka Connect's normalisation: the simple class name without a "Connector" suffix. */
function normalized(name: string): string {
  const simple = name.trim().slice(name.trim().lastIndexOf('.') + 1);
  return simple.endsWith('Connector') ? simple.slice(0, -'Connector'.length) : simple;
}

/**
 * Whether connector.class in a validate request names the plugin of the path: the same name, two
 * names of one installed plugin (class or short name), or, as Kafka Connect checks, a class name
 * whose simple name ends with the requested one.
 */
export function namesSamePlugin(
  included: string,
  requested: string,
  plugins: readonly PluginInfo[],
): boolean {
  if (included.trim() === requested.trim()) return true;
  const find = (name: string): PluginInfo | undefined =>
    plugins.find((p) => p.class === name.trim() || p.name === name.trim());
  const a = find(included);
  const b = find(requested);
  if (a && b) return a.class === b.class;
  return normalized(included).endsWith(normalized(requested));
}
