import { spawn } from 'node:child_process';
import { REPO_ROOT, tsNodeArgs } from './ts-child.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `sluice ARGS` from the sources as a user would, optionally feeding stdin. */
export function runCli(
  args: string[],
  options: {
    url?: string;
    stdin?: string;
    env?: Record<string, string>;
    /** Close stdout after the first output, as `| head -1` does. */
    closeStdoutEarly?: boolean;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...tsNodeArgs('apps/worker/src/main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        SWC_NODE_PROJECT: `${REPO_ROOT}/tsconfig.typecheck.json`,
        ...(options.url ? { SLUICE_URL: options.url } : {}),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.closeStdoutEarly) child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}
