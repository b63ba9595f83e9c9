import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The worker names the directories connectors may touch; the runtime passes them to every file
 * connector in this setting (comma-separated absolute paths). Without it nothing is allowed: a
 * connector config must never be a way to read or write anywhere the worker process can.
 */
export const FILE_ROOTS_KEY = 'worker.files.roots';

export function parseRoots(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => resolve(r));
}

/**
 * The real path of `path` (resolved against the working directory, symlinks followed). A path
 * that does not exist yet (a sink's output folder) resolves through its deepest existing ancestor,
 * so a symlink anywhere above it still counts.
 */
export async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : join(real, ...missing.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = dirname(current);
      if (parent === current) return absolute;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/** True if `path` is `root` or lies below it (both already real and absolute). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export type Confinement = { ok: true; realPath: string } | { ok: false; message: string };

/** Checks that `path` lies inside one of `roots` once symlinks are resolved. */
export async function confine(path: string, roots: readonly string[]): Promise<Confinement> {
  if (roots.length === 0) {
    return {
      ok: false,
      message: `the worker allows no file access: set files.roots in its worker.yaml (${FILE_ROOTS_KEY})`,
    };
  }
  const realPath = await realPathOf(path);
  const realRoots = await Promise.all(roots.map((r) => realPathOf(r)));
  if (realRoots.some((root) => isInside(realPath, root))) return { ok: true, realPath };
  return {
    ok: false,
    message: `${path} (${realPath}) is outside the worker's file roots: ${realRoots.join(', ')}`,
  };
}
