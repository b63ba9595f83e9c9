import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// the package exports it for `import` only, which jest's resolver does not follow; it still
// resolves its own parts from the working directory, so children run in the repository
const swcRegister = pathToFileURL(
  path.join(REPO_ROOT, 'node_modules', '@swc-node', 'register', 'esm', 'esm-register.mjs'),
).href;

/** Node arguments that run a TypeScript entry straight from the sources, as `npm run dev` does. */
export function tsNodeArgs(entry: string): string[] {
  return ['--conditions=@sluice/source', '--import', swcRegister, path.resolve(REPO_ROOT, entry)];
}

/** Spawns a TypeScript program from the sources in a child Node process. */
export function spawnTs(entry: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [...tsNodeArgs(entry), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.typecheck.json'),
      ...options.env,
    },
  });
}
