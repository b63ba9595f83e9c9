import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../logger.js';
import { batchLastOffset, batchSizeAt } from '../format/record-batch.js';
import { RecordBatchDecoder } from '../format/record-batch-decoder.js';
import { RecordBatchEncoder } from '../format/record-batch-encoder.js';
import type { LogRecord, ProducerRecord } from '../record.js';
import type { AppendResult, LogStorage } from '../storage/log-storage.js';

/** Helpers for the log's own specs (not built into dist). */

export function tempDir(prefix = 'sluice-log-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface RecordingLogger {
  logger: Logger;
  lines: Record<string, unknown>[];
  warnings(): Record<string, unknown>[];
}

/** A real pino logger whose lines are kept for assertions. */
export function recordingLogger(): RecordingLogger {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines, warnings: () => lines.filter((l) => l['level'] === 40) };
}

const encoder = new RecordBatchEncoder();

/** Appends one batch holding `records` (strings become values). */
export function appendBatch(
  storage: LogStorage,
  topic: string,
  partition: number,
  records: readonly (ProducerRecord | string)[],
): Promise<AppendResult> {
  const list = records.map((r) => (typeof r === 'string' ? { value: r } : r));
  return storage.append(topic, partition, encoder.encode(list));
}

export function decodeBatches(data: Buffer, minOffset = 0): LogRecord[] {
  const decoder = new RecordBatchDecoder();
  const out: LogRecord[] = [];
  for (let pos = 0; pos < data.length; pos += batchSizeAt(data, pos))
    decoder.decode(data, pos, out, minOffset);
  return out;
}

/** Every record from `from` to the end, by repeated fetches of `maxBytes`. */
export async function readAll(
  storage: LogStorage,
  topic: string,
  partition: number,
  from = 0,
  maxBytes = 64 * 1024,
): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  let offset = from;
  for (;;) {
    const { batches } = await storage.fetch(topic, partition, { offset, maxBytes });
    if (batches.length === 0) return all;
    const records = decodeBatches(batches, offset);
    all.push(...records);
    const lastBatchStart = lastBatchPosition(batches);
    offset = Math.max(offset, batchLastOffset(batches, lastBatchStart) + 1);
  }
}

function lastBatchPosition(data: Buffer): number {
  let pos = 0;
  for (;;) {
    const next = pos + batchSizeAt(data, pos);
    if (next >= data.length) return pos;
    pos = next;
  }
}

export function values(records: readonly LogRecord[]): (string | null)[] {
  return records.map((r) => (r.value === null ? null : r.value.toString('utf8')));
}
