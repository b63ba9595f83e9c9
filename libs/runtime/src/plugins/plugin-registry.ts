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
  /** The package each discovered plugin came from, so a task thread imports only those it needs. */
  private readonly origins = new Map<PluginDescriptor, PluginModuleRef>();

  /** Registers the plugins of a package, remembering which package they came from. */
  registerModule(ref: PluginModuleRef, descriptors: readonly PluginDescriptor[]): void {
    this.register(descriptors);
    for (const d of descriptors) this.origins.set(d, ref);
  }

  /** The packages (in first-use order, each once) that provide the named plugins, where known. */
  modulesOf(names: readonly string[]): PluginModuleRef[] {
    const out: PluginModuleRef[] = [];
    for (const name of names) {
      const d = this.find(name);
      const ref = d && this.origins.get(d);
      if (ref && !out.includes(ref)) out.push(ref);
    }
    return out;
  }

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

/** A package that declares plugins, not loaded yet. */
export interface PluginModuleRef {
  /** What to import: the package name, or a file URL. */
  specifier: string;
  /** The package, for error messages. */
  label: string;
}

/**
 * The packages under the given node_modules folders (and plugin paths) whose package.json
 * declares `"sluice": { "plugins": "<module>" }`, without loading them.
 */
export function findPluginModules(searchDirs: readonly string[]): PluginModuleRef[] {
  const found: PluginModuleRef[] = [];
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
      found.push({
        specifier: entry === '.' ? pkg.name! : pathToFileURL(path.join(pkgDir, entry)).href,
        label: pkg.name ?? pkgDir,
      });
    }
  }
  return found;
}

/** Imports a plugin package and returns its plugins. */
export async function loadPluginModule(ref: PluginModuleRef): Promise<PluginDescriptor[]> {
  const mod = (await import(ref.specifier)) as Partial<PluginModule>;
  if (!Array.isArray(mod.plugins))
    throw new Error(`package ${ref.label} declares sluice.plugins but exports no plugins array`);
  return mod.plugins;
}

/** Registers the plugins of every package findPluginModules finds, with where they came from. */
export async function registerDiscoveredPlugins(
  registry: PluginRegistry,
  searchDirs: readonly string[],
): Promise<void> {
  for (const ref of findPluginModules(searchDirs)) registry.registerModule(ref, await loadPluginModule(ref));
}

/**
 * The plugins a task needs loaded: its connector's class, and the converters, transforms and
 * predicates its config (over the worker's converter defaults) names.
 */
export function taskPluginNames(
  converterDefaults: Readonly<Record<string, string>>,
  connectorConfig: Readonly<Record<string, string>>,
  connectorClass: string,
): string[] {
  return referencedPlugins({ ...converterDefaults, ...connectorConfig, 'connector.class': connectorClass });
}

/**
 * The plugin names a connector config refers to: its class, converters, transforms and
 * predicates (what a task needs loaded before it starts).
 */
export function referencedPlugins(config: Readonly<Record<string, string>>): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (
      key === 'connector.class' ||
      key === 'key.converter' ||
      key === 'value.converter' ||
      key === 'header.converter' ||
      /^(transforms|predicates)\.[^.]+\.type$/.test(key)
    )
      names.push(value.trim());
  }
  return names.filter((n) => n !== '');
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
