import fs from 'node:fs';
import { Command, Option } from 'commander';
import { ConfigError, loadWorkerConfig } from '@sluice/config';
import { connectorsCommand } from './cli/connectors.command.js';
import { processOutput, type CliOutput } from './cli/output.js';
import { RestClient, RestError } from './cli/rest-client.js';
import { topicsCommand } from './cli/topics.command.js';
import { UsageError } from './cli/usage-error.js';
import { validateCommand } from './cli/validate.command.js';
import { startWorker } from './worker.js';

const DEFAULT_CONFIG = 'config/worker.yaml';

export function buildCli(output: CliOutput = processOutput): Command {
  const program = new Command();
  program
    .name('sluice')
    .description('Sluice: a connector platform with a durable, partitioned log')
    .addOption(
      new Option('--url <url>', 'worker REST URL').env('SLUICE_URL').default('http://127.0.0.1:8083'),
    )
    .addOption(new Option('--token <token>', 'bearer token for the REST API').env('SLUICE_TOKEN'))
    .addOption(new Option('--user <user:password>', 'basic auth for the REST API').env('SLUICE_USER'))
    .showHelpAfterError();

  const client = (): RestClient => {
    const o = program.opts<{ url: string; token?: string; user?: string }>();
    return new RestClient({
      url: o.url,
      token: o.token,
      user: o.user,
      onWarning: (text) => output.err(`warning: ${text}`),
    });
  };

  program
    .command('start')
    .description('start a standalone worker')
    .option('-c, --config <file>', `worker config (default: ${DEFAULT_CONFIG} when present)`)
    .action(async (options: { config?: string }) => {
      const file = options.config ?? (fs.existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null);
      const { config } = loadWorkerConfig(file);
      await startWorker(config);
    });

  program.addCommand(validateCommand(output));
  program.addCommand(connectorsCommand(client, output));
  program.addCommand(topicsCommand(client, output));
  return program;
}

export async function runCli(argv: readonly string[], output: CliOutput = processOutput): Promise<void> {
  // `sluice ... | head`: a reader that has had enough closes the pipe; that ends the command, quietly
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    await buildCli(output).parseAsync([...argv]);
  } catch (err) {
    if (err instanceof ConfigError) {
      output.err(err.message);
      process.exitCode = 2;
    } else if (err instanceof RestError) {
      output.err(`sluice: ${err.message}`);
      process.exitCode = err.status === 0 ? 3 : 1;
    } else if (err instanceof UsageError) {
      output.err(`sluice: ${err.message}`);
      process.exitCode = 2;
    } else if (isFileError(err)) {
      // a file named on the command line: the user's mistake, not the tool's, so no stack
      output.err(`sluice: cannot read ${err.path}: ${FILE_PROBLEMS[err.code] ?? err.message}`);
      process.exitCode = 2;
    } else {
      output.err(`sluice: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    }
  }
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

function isFileError(err: unknown): err is NodeJS.ErrnoException & { path: string; code: string } {
  const e = err as NodeJS.ErrnoException;
  return e instanceof Error && typeof e.path === 'string' && typeof e.code === 'string';
}
