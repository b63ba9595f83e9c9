import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../support/free-port.js';
import { WorkerProcess, writeYaml } from '../support/worker-process.js';

const FILES = 4;
const LINES = 200_000;
const BURST = 5_000;

let worker: WorkerProcess | null = null;
afterAll(async () => {
  await worker?.stop();
});

function outboxLines(outbox: string): string[] {
  if (!fs.existsSync(outbox)) return [];
  const lines: string[] = [];
  for (const f of fs
    .readdirSync(outbox)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    const text = fs.readFileSync(path.join(outbox, f), 'utf8');
    for (const line of text.split('\n')) if (line) lines.push(line);
  }
  return lines;
}

describe('file pipeline end to end', () => {
  it(`delivers ${LINES} lines from inbox files to the outbox exactly once across two SIGKILLs`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-e2e-'));
    const port = await freePort();
    const inbox = path.join(root, 'data', 'inbox');
    const outbox = path.join(root, 'data', 'outbox');
    fs.mkdirSync(inbox, { recursive: true });
    writeYaml(
      path.join(root, 'worker.yaml'),
      `mode: standalone\nrest:\n  host: 127.0.0.1\n  port: ${port}\nlog:\n  dir: ${root}/data/log\nconnectors:\n  dir: ${root}/connectors\nfiles:\n  roots: [${root}/data]\n`,
    );
    writeYaml(
      path.join(root, 'connectors', 'inbox.yaml'),
      `name: inbox\nconfig:\n  connector.class: file-source\n  topic: events\n  path: ${inbox}\n  glob: '*.jsonl'\n  format: jsonl\n  poll.interval.ms: 100\n  offset.flush.interval.ms: 500\n`,
    );
    writeYaml(
      path.join(root, 'connectors', 'outbox.yaml'),
      `name: outbox\nconfig:\n  connector.class: file-sink\n  topics: events\n  path: ${outbox}\n  format: jsonl\n  offset.flush.interval.ms: 500\n`,
    );
    worker = new WorkerProcess(path.join(root, 'worker.yaml'), `http://127.0.0.1:${port}`);
    await worker.start();

    const written = new Array<number>(FILES).fill(0);
    const perFile = LINES / FILES;
    const kills = [Math.floor(LINES * 0.3), Math.floor(LINES * 0.65)];
    let total = 0;
    while (total < LINES) {
      const f = (total / BURST) % FILES;
      const lines: string[] = [];
      for (let i = 0; i < BURST && written[f]! < perFile; i++)
        lines.push(JSON.stringify({ file: f, seq: written[f]!++ }));
      fs.appendFileSync(path.join(inbox, `part-${f}.jsonl`), lines.join('\n') + '\n');
      total += lines.length;
      if (kills.length > 0 && total >= kills[0]!) {
        kills.shift();
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
        await worker.kill();
        await worker.start();
      }
    }

    const deadline = Date.now() + 240_000;
    let lines = outboxLines(outbox);
    while (lines.length < LINES && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      lines = outboxLines(outbox);
    }
    const seen = new Map<number, number[]>();
    for (const line of lines) {
      const { file, seq } = JSON.parse(line) as { file: number; seq: number };
      const list = seen.get(file) ?? [];
      list.push(seq);
      seen.set(file, list);
    }
    for (let f = 0; f < FILES; f++) {
      const got = seen.get(f) ?? [];
      const expected = Array.from({ length: perFile }, (_, i) => i);
      // each line exactly once, in the order of its file
      if (got.length !== perFile || got.some((s, i) => s !== i)) {
        const dupes = got.length - new Set(got).size;
        expect({
          file: f,
          count: got.length,
          duplicates: dupes,
          firstOutOfOrder: got.findIndex((s, i) => s !== i),
        }).toEqual({
          file: f,
          count: perFile,
          duplicates: 0,
          firstOutOfOrder: -1,
        });
      }
      expect(got.length).toBe(expected.length);
    }
    expect(lines.length).toBe(LINES);
  }, 600_000);
});
