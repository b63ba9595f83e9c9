import fs from 'node:fs';
import { Command } from 'commander';
import { parseConnectorFile } from '@sluice/config';
import type { ConnectorStatus } from '@sluice/runtime';
import { table, type CliOutput } from './output.js';
import type { RestClient } from './rest-client.js';

const enc = encodeURIComponent;

/** `sluice connectors ...`: the connector lifecycle, through the REST API. */
export function connectorsCommand(client: () => RestClient, output: CliOutput): Command {
  const cmd = new Command('connectors').description('manage connectors on a running worker');

  cmd
    .command('list')
    .description('connectors with their state and tasks')
    .option('--json', 'print the raw JSON')
    .action(async (o: { json?: boolean }) => {
      const all =
        await client().get<Record<string, { status: ConnectorStatus }>>('/connectors?expand=status');
      if (o.json) return output.out(JSON.stringify(all, null, 2));
      const rows = [['NAME', 'TYPE', 'STATE', 'TASKS']];
      for (const [name, { status }] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
        const running = status.tasks.filter((t) => t.state === 'RUNNING').length;
        rows.push([name, status.type, status.connector.state, `${running}/${status.tasks.length} running`]);
      }
      table(rows, output);
    });

  cmd
    .command('status <name>')
    .description("a connector's state, its tasks' states and failures")
    .option('--json', 'print the raw JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const status = await client().get<ConnectorStatus & { snapshot?: unknown }>(
        `/connectors/${enc(name)}/status`,
      );
      if (o.json) return output.out(JSON.stringify(status, null, 2));
      output.out(
        `${status.name} (${status.type}): ${status.connector.state} on ${status.connector.worker_id}`,
      );
      if (status.connector.trace) output.out(indent(status.connector.trace));
      for (const t of status.tasks) {
        output.out(`  task ${t.id}: ${t.state} on ${t.worker_id}`);
        if (t.trace) output.out(indent(t.trace, 4));
      }
    });

  cmd
    .command('apply')
    .description('create or update a connector from a YAML (or JSON) file: {name, config}')
    .requiredOption('-f, --file <file>', 'connector file')
    .action(async (o: { file: string }) => {
      const { name, config } = parseConnectorFile(fs.readFileSync(o.file, 'utf8'), o.file);
      const existed = await client()
        .get(`/connectors/${enc(name)}`)
        .then(
          () => true,
          () => false,
        );
      await client().request('PUT', `/connectors/${enc(name)}/config`, config);
      output.out(`${existed ? 'updated' : 'created'} connector ${name}`);
    });

  for (const [verb, method, path, done] of [
    ['delete', 'DELETE', '', 'deleted'],
    ['pause', 'PUT', '/pause', 'paused'],
    ['resume', 'PUT', '/resume', 'resumed'],
    ['stop', 'PUT', '/stop', 'stopped'],
  ] as const) {
    cmd
      .command(`${verb} <name>`)
      .description(`${verb} a connector`)
      .action(async (name: string) => {
        await client().request(method, `/connectors/${enc(name)}${path}`);
        output.out(`${done} connector ${name}`);
      });
  }

  cmd
    .command('restart <name>')
    .description('restart a connector (and its tasks with --include-tasks)')
    .option('--include-tasks', 'restart its tasks too')
    .option('--only-failed', 'only what is FAILED')
    .action(async (name: string, o: { includeTasks?: boolean; onlyFailed?: boolean }) => {
      const query = `?includeTasks=${o.includeTasks === true}&onlyFailed=${o.onlyFailed === true}`;
      await client().request('POST', `/connectors/${enc(name)}/restart${query}`);
      output.out(`restarting connector ${name}`);
    });

  return cmd;
}

function indent(text: string, by = 2): string {
  return text
    .split('\n')
    .slice(0, 12)
    .map((l) => ' '.repeat(by) + l)
    .join('\n');
}
