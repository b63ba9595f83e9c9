import fs from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadWorkerConfig } from '@sluice/config';
import { startWorker } from './worker.js';

const DEFAULT_CONFIG = 'config/worker.yaml';

export function buildCli(): Command {
  const program = new Command();
  program
    .name('sluice')
    .description('Sluice: a connector platform with a durable, partitioned log')
    .showHelpAfterError();

  program
    .command('start')
    .description('start a standalone worker')
    .option('-c, --config <file>', `worker config (default: ${DEFAULT_CONFIG} when present)`)
    .action(async (options: { config?: string }) => {
      const file = options.config ?? (fs.existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null);
      const { config } = loadWorkerConfig(file);
      await startWorker(config);
    });

  return program;
}

export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await buildCli().parseAsync([...argv]);
  } catch (err) {
    process.stderr.write(
      `${err instanceof ConfigError ? err.message : `sluice: ${(err as Error).stack ?? String(err)}`}\n`,
    );
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  }
}
