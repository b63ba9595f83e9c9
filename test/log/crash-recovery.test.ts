import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Log, type LogRecord } from '@sluice/log';
import { spawnTs } from '../support/ts-child.js';
import { CRASH_PARTITIONS, CRASH_TOPIC, expectedRecord } from './crash-workload.js';

const KILLS = Number(process.env['SLUICE_CRASH_KILLS'] ?? 24);

interface RunResult {
  /** Highest acknowledged offset per partition seen on the writer's stdout (-1: none). */
  acked: number[];
}

/** Runs the writer until it has acknowledged something, waits a random moment, SIGKILLs it. */
async function runAndKill(dir: string, compression: string, seed: number): Promise<RunResult> {
  const child = spawnTs(path.join('test', 'log', 'crash-writer.ts'), [dir, compression]);
  const acked = new Array<number>(CRASH_PARTITIONS).fill(-1);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let buffered = '';
  let firstAck: () => void = () => undefined;
  const acking = new Promise<void>((resolve) => (firstAck = resolve));
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [kind, p, offset] = line.split(' ');
      if (kind !== 'ack') continue;
      acked[Number(p)] = Math.max(acked[Number(p)]!, Number(offset));
      firstAck();
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await Promise.race([
    acking,
    exited.then(() => {
      throw new Error(`crash writer exited before acknowledging anything:\n${stderr}`);
    }),
  ]);
  await new Promise((r) => setTimeout(r, 10 + ((seed * 7919) % 300)));
  child.kill('SIGKILL');
  await exited;
  return { acked };
}

async function readPartition(log: Log, partition: number): Promise<LogRecord[]> {
  const consumer = log.consumer({ autoOffsetReset: 'earliest', maxPartitionFetchBytes: 256 * 1024 });
  consumer.assign([{ topic: CRASH_TOPIC, partition }]);
  const records: LogRecord[] = [];
  for (;;) {
    const polled = await consumer.poll();
    if (polled.length === 0) break;
    for (const p of polled) records.push(...p.records);
  }
  await consumer.close();
  return records;
}

function matches(record: LogRecord, partition: number, offset: number): boolean {
  const want = expectedRecord(partition, offset);
  return (
    record.offset === offset &&
    record.key?.toString() === want.key &&
    record.value?.toString() === want.value &&
    record.headers.length === 1 &&
    record.headers[0]!.key === 'offset' &&
    record.headers[0]!.value?.toString() === String(offset)
  );
}

describe('crash recovery', () => {
  it(`keeps every acknowledged record byte for byte across ${KILLS} SIGKILLs`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-crash-'));
    let totalRecords = 0;
    for (let run = 0; run < KILLS; run++) {
      const { acked } = await runAndKill(dir, run % 3 === 2 ? 'gzip' : 'none', run);
      const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0 });
      try {
        for (let p = 0; p < CRASH_PARTITIONS; p++) {
          const records = await readPartition(log, p);
          const { endOffset } = await log.storage.offsets(CRASH_TOPIC, p);
          expect(records.length).toBe(endOffset);
          expect(endOffset).toBeGreaterThan(acked[p]!);
          const bad = records.findIndex((record, i) => !matches(record, p, i));
          if (bad >= 0) {
            const want = expectedRecord(p, bad);
            expect({
              offset: records[bad]!.offset,
              key: records[bad]!.key?.toString(),
              value: records[bad]!.value?.toString(),
            }).toEqual({
              offset: bad,
              key: want.key,
              value: want.value,
            });
          }
          if (run === KILLS - 1) totalRecords += records.length;
        }
      } finally {
        await log.close();
      }
    }
    expect(totalRecords).toBeGreaterThan(1000);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
