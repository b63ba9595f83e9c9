import { NotFoundException } from '@nestjs/common';
import type { Log, LogRecord } from '@sluice/log';
import { isRuntimeHeader } from '@sluice/runtime';
import { type ByteFormat, type RenderedBytes, renderBytes } from './rendered-bytes.js';
import type { PeekRequest } from './topic-requests.js';

/** A record as GET /topics/{name}/records shows it: what a client reads. */
export interface RenderedRecord {
  offset: number;
  timestamp: number;
  key: unknown;
  key_format: ByteFormat | null;
  value: unknown;
  value_format: ByteFormat | null;
  headers: { key: string; value: unknown; format: ByteFormat | null }[];
}

export interface RecordsPage {
  topic: string;
  partition: number;
  start_offset: number;
  end_offset: number;
  /** Where the next page starts (after the last record shown, or past a gap compaction left). */
  next_offset: number;
  records: RenderedRecord[];
}

/** A record read by a peek: its key, value and header values as the JSON text the page embeds. */
export interface PeekedRecord {
  offset: number;
  timestamp: number;
  key: RenderedBytes;
  value: RenderedBytes;
  headers: { key: string; value: RenderedBytes }[];
}

/** A RecordsPage before it is written (see recordsPageJson). */
export type PeekedPage = Omit<RecordsPage, 'records'> & { records: PeekedRecord[] };

/** Stops a page early once its keys, values and headers reach this many bytes (after one record). */
export const MAX_PEEK_BYTES = 8 * 1024 * 1024;

function sizeOf(r: LogRecord): number {
  let size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers) size += h.key.length + (h.value?.length ?? 0);
  return size;
}

function peeked(r: LogRecord, internalHeaders: boolean): PeekedRecord {
  // the runtime's own headers (its source offset marks) are bookkeeping, not data
  const headers = internalHeaders ? r.headers : r.headers.filter((h) => !isRuntimeHeader(h.key));
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: renderBytes(r.key),
    value: renderBytes(r.value),
    headers: headers.map((h) => ({ key: h.key, value: renderBytes(h.value) })),
  };
}

/**
 * Reads at most `limit` records of one partition from `offset`, up to the end offset seen when the
 * peek began, through a consumer of its own that joins no group and commits nothing.
 */
export async function peekRecords(
  log: Log,
  topic: string,
  request: PeekRequest,
  maxBytes = MAX_PEEK_BYTES,
): Promise<PeekedPage> {
  const description = await log.admin().describeTopic(topic);
  const described = description.partitions.find((p) => p.partition === request.partition);
  if (!described) throw new NotFoundException(`Partition ${request.partition} of topic ${topic} not found`);
  const { startOffset, endOffset } = described;
  const records: PeekedRecord[] = [];
  let position = Math.max(request.offset ?? startOffset, startOffset);
  if (position < endOffset) {
    const tp = { topic, partition: request.partition };
    const consumer = log.consumer({ maxPollRecords: request.limit, autoOffsetReset: 'earliest' });
    try {
      consumer.assign([tp]);
      consumer.seek(tp, position);
      let bytes = 0;
      while (records.length < request.limit && position < endOffset && bytes < maxBytes) {
        const before = position;
        let full = false;
        for (const batch of await consumer.poll({ timeoutMs: 0 })) {
          for (const r of batch.records) {
            if (r.offset < position) continue;
            if (r.offset >= endOffset || records.length >= request.limit || bytes >= maxBytes) {
              full = true;
              break;
            }
            records.push(peeked(r, request.internalHeaders));
            bytes += sizeOf(r);
            position = r.offset + 1;
          }
          if (full) break;
        }
        // past offsets compaction removed: the consumer's position moved on without records
        if (!full) position = Math.min(Math.max(position, await consumer.position(tp)), endOffset);
        if (full || position === before) break;
      }
    } finally {
      await consumer.close();
    }
  }
  return {
    topic,
    partition: request.partition,
    start_offset: startOffset,
    end_offset: endOffset,
    next_offset: position,
    records,
  };
}
