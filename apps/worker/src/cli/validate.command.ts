import fs from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadWorkerConfig, parseConnectorFile, resolveConfig } from '@sluice/config';
import { DEFAULT_CONVERTERS, validateConnectorConfig } from '@sluice/runtime';
import { loadPluginRegistry } from '../plugin-registry.factory.js';
import type { CliOutput } from './output.js';

/**
 * `sluice validate FILE...`: checks worker and connector files offline, as the worker would, with
 * the plugins installed here. Exit code 2 when any file has problems.
 */
export function validateCommand(output: CliOutput): Command {
  return new Command('validate')
    .description('check worker.yaml and connector files without starting anything')
    .argument('<files...>')
    .action(async (files: string[]) => {
      let failed = 0;
      const registry = await loadPluginRegistry();
      for (const file of files) {
        const problems = await problemsOf(file, registry);
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

async function problemsOf(
  file: string,
  registry: Awaited<ReturnType<typeof loadPluginRegistry>>,
): Promise<string[]> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return [(err as Error).message];
  }
  const isConnector = /^\s*config\s*:/m.test(text) && /^\s*name\s*:/m.test(text);
  try {
    if (!isConnector) {
      loadWorkerConfig(file);
      return [];
    }
    const { name, config, lines } = parseConnectorFile(text, file);
    const resolved = await resolveConfig(config);
    const outcome = await validateConnectorConfig(registry, { ...resolved, name }, DEFAULT_CONVERTERS);
    return outcome.errors.map((e) => {
      const line = lines.get(`config.${e.field}`) ?? lines.get('config');
      return `${file}${line ? `:${line}` : ''}: ${e.field}: ${e.messages.join('; ')}`;
    });
  } catch (err) {
    if (err instanceof ConfigError)
      return err.problems.map(
        (p) => `${p.file ?? file}${p.line ? `:${p.line}` : ''}: ${p.field}: ${p.message}`,
      );
    return [(err as Error).message];
  }
}
