import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginDescriptor, PluginModule } from '@sluice/connect-api';

export type PluginType = PluginDescriptor['type'];

/**
 * Every plugin the worker knows: connectors from connector packages, and the runtime's own
 * transforms, predicates and converters. Users name a plugin by its short name, its class name
 * (Kafka Connect's, where there is one) or an alias.
 */
export class PluginRegistry {
  private readonly byName = new Map<string, PluginDescriptor>();
  private readonly all: PluginDescriptor[] = [];

  register(descriptors: readonly PluginDescriptor[]): void {
    for (const d of descriptors) {
      for (const name of [d.name, d.className, ...(d.aliases ?? [])]) {
        const existing = this.byName.get(name);
        if (existing && existing !== d) {
          throw new Error(`plugin name ${name} is claimed by both ${existing.className} and ${d.className}`);
        }
        this.byName.set(name, d);
      }
      this.all.push(d);
    }
  }

  find(name: string): PluginDescriptor | undefined {
    return this.byName.get(name.trim());
  }

  /** The plugin of one of `types` named `name`, or undefined. */
  findOf<T extends PluginType>(
    name: string,
    types: readonly T[],
  ): Extract<PluginDescriptor, { type: T }> | undefined {
    const d = this.find(name);
    return d && (types as readonly PluginType[]).includes(d.type)
      ? (d as Extract<PluginDescriptor, { type: T }>)
      : undefined;
  }

  list(types?: readonly PluginType[]): PluginDescriptor[] {
    return this.all
      .filter((d) => !types || types.includes(d.type))
      .sort((a, b) => a.className.localeCompare(b.className));
  }

  /** Names users may write for plugins of `types`, for error messages. */
  names(types: readonly PluginType[]): string[] {
    return this.list(types).map((d) => d.name);
  }
}

interface PackageJson {
  name?: string;
  sluice?: { plugins?: string };
}

/**
 * Loads the plugins of every package under the given node_modules folders (and plugin paths)
 * whose package.json declares `"sluice": { "plugins": "<module>" }`.
 */
export async function discoverPlugins(searchDirs: readonly string[]): Promise<PluginDescriptor[]> {
  const found: PluginDescriptor[] = [];
  const seen = new Set<string>();
  for (const dir of searchDirs) {
    for (const pkgDir of packageDirs(dir)) {
      const real = fs.realpathSync(pkgDir);
      if (seen.has(real)) continue;
      seen.add(real);
      let pkg: PackageJson;
      try {
        pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
      } catch {
        continue;
      }
      const entry = pkg.sluice?.plugins;
      if (!entry) continue;
      const specifier = entry === '.' ? pkg.name! : path.join(pkgDir, entry);
      const mod = (await import(
        entry === '.' ? specifier : pathToFileURL(specifier).href
      )) as Partial<PluginModule>;
      if (!Array.isArray(mod.plugins))
        throw new Error(`package ${pkg.name ?? pkgDir} declares sluice.plugins but exports no plugins array`);
      found.push(...mod.plugins);
    }
  }
  return found;
}

function packageDirs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  if (fs.existsSync(path.join(dir, 'package.json'))) return [dir];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('@') && (entry.isDirectory() || entry.isSymbolicLink())) {
      for (const scoped of fs.readdirSync(full, { withFileTypes: true }))
        out.push(path.join(full, scoped.name));
    } else if (entry.isDirectory() || entry.isSymbolicLink()) {
      out.push(full);
    }
  }
  return out.filter((d) => fs.existsSync(path.join(d, 'package.json')));
}
