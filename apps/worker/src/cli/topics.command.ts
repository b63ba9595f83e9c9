import readline from 'node:readline';
import { parseJson, writeJson } from '@sluice/connect-api';
import { Command } from 'commander';
import { table, type CliOutput } from './output.js';
import type { RestClient } from './rest-client.js';
import { UsageError, wholeNumber } from './usage-error.js';

const enc = encodeURIComponent;

interface TopicView {
  name: string;
  topic_id: string;
  internal: boolean;
  config: Record<string, unknown>;
  partitions: {
    partition: number;
    start_offset: number;
    end_offset: number;
    size_bytes: number;
    segments: number;
  }[];
}

interface RecordsPage {
  topic: string;
  partition: number;
  start_offset: number;
  end_offset: number;
  next_offset: number;
  records: {
    offset: number;
    timestamp: number;
    key: unknown;
    value: unknown;
    headers: { key: string; value: unknown }[];
  }[];
}

/**
 * Records' keys, values and headers hold the JSON stored in the log: its integers past 2^53 are
 * read as bigints and its long decimals as their text, which writeJson prints back unchanged.
 */
const exactJson = (text: string): unknown => parseJson(text).value;

/** `sluice topics ...`: topics of the worker's log, through the REST API. */
export function topicsCommand(client: () => RestClient, output: CliOutput): Command {
  const cmd = new Command('topics').description("inspect and feed the worker's topics");

  cmd
    .command('list')
    .option('--internal', 'include internal topics')
    .action(async (o: { internal?: boolean }) => {
      for (const t of await client().get<string[]>(`/topics${o.internal ? '?internal=true' : ''}`))
        output.out(t);
    });

  cmd
    .command('create <name>')
    .option('-p, --partitions <n>', 'partitions', wholeNumber(1), 1)
    .option('-c, --config <key=value...>', 'topic settings, e.g. retention.ms=86400000')
    .action(async (name: string, o: { partitions: number; config?: string[] }) => {
      const config: Record<string, string> = {};
      for (const kv of o.config ?? []) {
        const at = kv.indexOf('=');
        if (at <= 0) throw new UsageError(`--config takes key=value, not ${kv}`);
        config[kv.slice(0, at)] = kv.slice(at + 1);
      }
      await client().request('POST', '/topics', { name, partitions: o.partitions, config });
      output.out(`created topic ${name}`);
    });

  cmd
    .command('describe <name>')
    .option('--json', 'print the raw JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const t = await client().get<TopicView>(`/topics/${enc(name)}`);
      if (o.json) return output.out(JSON.stringify(t, null, 2));
      output.out(`${t.name}${t.internal ? ' (internal)' : ''}  topic_id=${t.topic_id}`);
      for (const [k, v] of Object.entries(t.config)) output.out(`  ${k}=${String(v)}`);
      table(
        [
          ['PARTITION', 'START', 'END', 'BYTES', 'SEGMENTS'],
          ...t.partitions.map((p) =>
            [p.partition, p.start_offset, p.end_offset, p.size_bytes, p.segments].map(String),
          ),
        ],
        output,
      );
    });

  cmd
    .command('delete <name>')
    .description('delete a topic and its records (sinks reading it wait for it to come back)')
    .action(async (name: string) => {
      await client().request('DELETE', `/topics/${enc(name)}`);
      output.out(`deleted topic ${name}`);
    });

  cmd
    .command('consume <topic>')
    .description('print records as JSON lines: {topic, partition, offset, timestamp, key, value, headers}')
    .option('--from-beginning', 'start at the earliest offset (default: the current end)')
    .option('--partition <p>', 'only this partition', wholeNumber(0))
    .option('--limit <n>', 'stop after n records', wholeNumber(1))
    .option('--follow', 'keep waiting for new records')
    .action(
      async (
        topic: string,
        o: { fromBeginning?: boolean; partition?: number; limit?: number; follow?: boolean },
      ) => {
        const view = await client().get<TopicView>(`/topics/${enc(topic)}`);
        const limit = o.limit ?? Infinity;
        const parts = view.partitions.filter((p) => o.partition === undefined || p.partition === o.partition);
        if (parts.length === 0)
          throw new UsageError(
            `topic ${topic} has partitions 0 to ${view.partitions.length - 1}, not ${o.partition}`,
          );
        const next = new Map(
          parts.map((p) => [p.partition, o.fromBeginning ? p.start_offset : p.end_offset]),
        );
        let printed = 0;
        for (;;) {
          let progressed = false;
          for (const p of parts) {
            if (printed >= limit) return;
            const offset = next.get(p.partition)!;
            const page = await client().get<RecordsPage>(
              `/topics/${enc(topic)}/records?partition=${p.partition}&offset=${offset}&limit=${Math.min(1000, limit - printed)}`,
              exactJson,
            );
            for (const r of page.records) {
              if (printed >= limit) return;
              output.out(
                writeJson({
                  topic,
                  partition: p.partition,
                  offset: r.offset,
                  timestamp: r.timestamp,
                  key: r.key,
                  value: r.value,
                  headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value])),
                }),
              );
              printed++;
            }
            if (page.next_offset > offset) progressed = true;
            next.set(p.partition, page.next_offset);
          }
          if (!progressed) {
            if (!o.follow) return;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      },
    );

  cmd
    .command('produce <topic>')
    .description(
      'send each line of stdin as a record (value = the line; with --key-separator, key and value)',
    )
    .option('--key-separator <sep>', 'split each line into key and value at the first <sep>')
    .option('--partition <p>', 'send to this partition', wholeNumber(0))
    .action(async (topic: string, o: { keySeparator?: string; partition?: number }) => {
      const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
      let batch: { key?: string; value: string; partition?: number }[] = [];
      let sent = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        await client().request('POST', `/topics/${enc(topic)}/records`, { records: batch });
        sent += batch.length;
        batch = [];
      };
      for await (const line of lines) {
        if (line === '') continue;
        const record: { key?: string; value: string; partition?: number } = { value: line };
        if (o.keySeparator) {
          const at = line.indexOf(o.keySeparator);
          if (at >= 0) {
            record.key = line.slice(0, at);
            record.value = line.slice(at + o.keySeparator.length);
          }
        }
        if (o.partition !== undefined) record.partition = o.partition;
        batch.push(record);
        if (batch.length >= 500) await flush();
      }
      await flush();
      output.err(`sent ${sent} records to ${topic}`);
    });

  return cmd;
}
