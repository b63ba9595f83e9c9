import fs from 'node:fs';
import { Command } from 'commander';
import { parseConnectorFile } from '@sluice/config';
import type { ConnectorStatus } from '@sluice/runtime';
import { withoutFrames } from './failure-text.js';
import { table, type CliOutput } from './output.js';
import { progressLines } from './progress-bar.js';
import type { RestClient } from './rest-client.js';
import { UsageError } from './usage-error.js';

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
    .description("a connector's state, its tasks' states, failures and progress (e.g. of a snapshot)")
    .option('--json', 'print the raw JSON')
    .option('--stack', 'print failures with their stack traces')
    .option('-w, --watch [ms]', 'redraw every ms milliseconds (default 1000) until interrupted')
    .action(async (name: string, o: { json?: boolean; stack?: boolean; watch?: boolean | string }) => {
      const failure = (trace: string, by: number): string =>
        indent(o.stack ? trace : withoutFrames(trace), by);
      const show = async (): Promise<void> => {
        const status = await client().get<ConnectorStatus>(`/connectors/${enc(name)}/status`);
        if (o.json) return output.out(JSON.stringify(status, null, 2));
        output.out(
          `${status.name} (${status.type}): ${status.connector.state} on ${status.connector.worker_id}`,
        );
        if (status.connector.trace) output.out(failure(status.connector.trace, 2));
        for (const t of status.tasks) {
          output.out(`  task ${t.id}: ${t.state} on ${t.worker_id}`);
          if (t.trace) output.out(failure(t.trace, 4));
          if (t.progress) for (const line of progressLines(t.progress)) output.out(line);
        }
      };
      if (o.watch === undefined) return show();
      const everyMs = o.watch === true ? 1000 : Number(o.watch);
      if (!Number.isInteger(everyMs) || everyMs < 100)
        throw new UsageError(`--watch takes milliseconds (at least 100), not ${String(o.watch)}`);
      for (;;) {
        if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
        await show();
        await new Promise((r) => setTimeout(r, everyMs));
      }
    });

  cmd
    .command('signal <name> <type>')
    .description("send a signal to a connector's running tasks (POST /connectors/{name}/signals)")
    .option('-d, --data <json>', 'the signal data, a JSON object', '{}')
    .action(async (name: string, type: string, o: { data: string }) => {
      let data: unknown;
      try {
        data = JSON.parse(o.data);
      } catch (err) {
        throw new UsageError(`--data is not JSON: ${(err as Error).message}`);
      }
      const sent = await client().request<{ id: string; tasks: number[] }>(
        'POST',
        `/connectors/${enc(name)}/signals`,
        { type, data },
      );
      output.out(`signal ${type} (${sent.id}) accepted by task(s) ${sent.tasks.join(', ')} of ${name}`);
    });

  cmd
    .command('snapshot <name> <tables...>')
    .description('start an incremental snapshot of tables (schema.table) while the source streams')
    .action(async (name: string, tables: string[]) => {
      const sent = await client().request<{ id: string; tasks: number[] }>(
        'POST',
        `/connectors/${enc(name)}/signals`,
        { type: 'execute-snapshot', data: { 'data-collections': tables, type: 'incremental' } },
      );
      output.out(`incremental snapshot of ${tables.join(', ')} requested (${sent.id})`);
    });

  cmd
    .command('apply')
    .description('create or update a connector from a YAML (or JSON) file: {name, config}')
    .requiredOption('-f, --file <file>', 'connector file')
    .action(async (o: { file: string }) => {
      let text: string;
      try {
        text = fs.readFileSync(o.file, 'utf8');
      } catch (err) {
        // reading a directory fails without naming it
        throw Object.assign(err as NodeJS.ErrnoException, { path: o.file });
      }
      const { name, config } = parseConnectorFile(text, o.file);
      // Kafka Connect's answer says which: 201 created, 200 updated
      const { status } = await client().exchange('PUT', `/connectors/${enc(name)}/config`, config);
      output.out(`${status === 201 ? 'created' : 'updated'} connector ${name}`);
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
