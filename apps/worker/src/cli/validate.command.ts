import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import {
  ConfigError,
  isConnectorFileText,
  loadWorkerConfig,
  parseConnectorFile,
  type WorkerConfig,
} from '@sluice/config';
import { ProvidedValues, validateConnectorConfig } from '@sluice/runtime';
import { connectorConfigResolver } from '../connector-config-resolver.js';
import { loadPluginRegistry } from '../plugin-registry.factory.js';
import { startChecks } from '../worker.js';
import { converterDefaultsOf } from '../worker-runtime.js';
import type { CliOutput } from './output.js';
import { UsageError } from './usage-error.js';

/**
 * `sluice validate FILE...`: checks worker and connector files offline, as the worker would, with
 * the plugins installed here. With no FILE, the worker file given with --config (or --worker).
 * Exit code 2 when any file has problems.
 */
export function validateCommand(output: CliOutput): Command {
  return new Command('validate')
    .description('check worker.yaml and connector files without starting anything')
    .argument('[files...]', 'connector files and worker files; default: the --config file')
    .option(
      '-w, --worker <file>',
      'the worker config whose settings apply (file roots); default config/worker.yaml when present',
    )
    .option('-c, --config <file>', 'the same as --worker, as `sluice start` names it')
    .action(async (given: string[], o: { worker?: string; config?: string }) => {
      const named = o.worker ?? o.config;
      const files = given.length > 0 ? given : named ? [named] : [];
      if (files.length === 0)
        throw new UsageError('name the files to check (connector files, worker.yaml), or give --config FILE');
      let failed = 0;
      const registry = await loadPluginRegistry();
      // connector files are checked against the worker they go with: the one named, else a
      // worker file among those given, else config/worker.yaml
      const workerFile =
        named ??
        files.find(isWorkerFile) ??
        (fs.existsSync('config/worker.yaml') ? 'config/worker.yaml' : null);
      let worker: WorkerConfig;
      try {
        worker = loadWorkerConfig(workerFile).config;
      } catch {
        // its problems are reported with it; connector files are checked against the defaults
        worker = loadWorkerConfig(null).config;
        if (workerFile && !files.includes(workerFile)) files.unshift(workerFile);
      }
      for (const file of files) {
        const problems = await problemsOf(file, registry, worker, (line) => output.err(line));
        if (problems.length === 0) {
          output.out(`${file}: ok`);
        } else {
          failed++;
          output.err(`${file}: ${problems.length} problem(s)`);
          for (const p of problems) output.err(`  - ${p}`);
        }
      }
      if (failed > 0) process.exitCode = 2;
    });
}

function isWorkerFile(file: string): boolean {
  try {
    return !isConnectorFileText(fs.readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

async function problemsOf(
  file: string,
  registry: Awaited<ReturnType<typeof loadPluginRegistry>>,
  worker: WorkerConfig,
  warn: (line: string) => void,
): Promise<string[]> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return [(err as Error).message];
  }
  const isConnector = isConnectorFileText(text);
  try {
    if (!isConnector) {
      await startChecks(loadWorkerConfig(file).config);
      return [];
    }
    const { name, config, lines } = parseConnectorFile(text, file);
    // messages show the references as written, never what they gave (CI logs keep these lines)
    const provided = new ProvidedValues();
    // ${file:...} confined as the worker confines it
    const resolved = await connectorConfigResolver(worker).resolve(config, provided.add);
    const roots = worker.files.roots.map((r) => path.resolve(r));
    const outcome = await validateConnectorConfig(
      registry,
      { ...resolved, 'worker.files.roots': roots.join(','), name },
      converterDefaultsOf(worker),
    );
    const at = (field: string): string => {
      const line = lines.get(`config.${field}`) ?? lines.get('config');
      return `${file}${line ? `:${line}` : ''}`;
    };
    for (const u of outcome.unknown)
      warn(
        `${at(u.key)}: warning: ${u.key} is not a setting of ${outcome.plugin?.name} nor of the runtime, so it changes nothing${u.suggestion ? ` (did you mean ${u.suggestion}?)` : ''}`,
      );
    return provided
      .hiddenInErrors(outcome.errors)
      .map((e) => `${at(e.field)}: ${e.field}: ${e.messages.join('; ')}`);
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map(
        (p) => `${p.file ?? file}${p.line ? `:${p.line}` : ''}: ${p.field}: ${p.message}`,
      );
    return [(err as Error).message];
  }
}
