import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONVERTER_PLUGINS,
  PluginRegistry,
  PREDICATE_PLUGINS,
  registerDiscoveredPlugins,
  TRANSFORM_PLUGINS,
} from '@sluice/runtime';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where connector packages are found: the workspace's @sluice packages, then installed ones. */
export function pluginSearchDirs(): string[] {
  return [
    ...new Set([
      path.resolve(process.cwd(), 'node_modules', '@sluice'),
      // beside the worker package, wherever the worker runs from (src/ or dist/)
      path.resolve(here, '..', '..', '..', 'node_modules', '@sluice'),
    ]),
  ];
}

/** Every plugin this installation has: the runtime's transforms, predicates and converters, and the connector packages. */
export async function loadPluginRegistry(): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  registry.register([...CONVERTER_PLUGINS, ...TRANSFORM_PLUGINS, ...PREDICATE_PLUGINS]);
  await registerDiscoveredPlugins(registry, pluginSearchDirs());
  return registry;
}
