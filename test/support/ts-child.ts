import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// resolved here, so children may run in any working directory
const swcRegister = pathToFileURL(
  createRequire(path.join(REPO_ROOT, 'package.json')).resolve('@swc-node/register/esm-register'),
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
