import fs from 'node:fs';
import path from 'node:path';
import {
  checkBatch,
  COMPRESSION_CODEC_MASK,
  ATTRIBUTES_OFFSET,
  deleteHorizonOf,
} from '../../format/record-batch.js';
import { RecordBatchDecoder } from '../../format/record-batch-decoder.js';
import { RecordBatchEncoder } from '../../format/record-batch-encoder.js';
import type { CompressionType } from '../../format/compression.js';
import type { Logger } from '../../logger.js';
import type { LogRecord } from '../../record.js';
import { writeFileAtomic } from './fs-io.js';
import { LogSegment } from './log-segment.js';
import type { PartitionLog } from './partition-log.js';
import { cleanedPath, commitCleaned, completeSwap, SegmentFileWriter } from './segment-swap.js';

const CHECKPOINT_FILE = 'cleaner-checkpoint';
const CODEC_NAMES: Record<number, CompressionType> = { 0: 'none', 1: 'gzip', 3: 'lz4', 4: 'zstd' };

export interface CompactionResult {
  segmentsBefore: number;
  segmentsAfter: number;
  recordsRemoved: number;
}

/**
 * cleanup.policy=compact: keeps the latest record of every key in the sealed segments, and
 * rewrites the segments in runs of up to segment.bytes. A tombstone (null value) that is the
 * latest of its key stays delete.retention.ms from the pass that first kept it, as Kafka's
 * delete horizon (KIP-534) has it: that pass marks its batch with the time it may go, and a later
 * pass past that time drops it. Counting from the record's own timestamp instead dropped at once
 * a tombstone written with an old timestamp (replayed or copied data), so a consumer behind it
 * never saw the delete and kept the row. Offsets never change; compaction leaves gaps.
 * The active segment is never touched, nor segments younger than min.compaction.lag.ms.
 *
 * The key map holds every distinct key of the cleanable segments in memory, which suits the
 * internal topics and moderate compacted topics; a bounded map (Kafka's dedupe buffer, cleaning in
 * several passes) would be needed for very large key spaces.
 */
export class LogCompactor {
  private readonly decoder = new RecordBatchDecoder();
  private readonly encoder = new RecordBatchEncoder();

  constructor(private readonly logger: Logger) {}

  async maybeCompact(partition: PartitionLog, now: number): Promise<CompactionResult | null> {
    const config = partition.config;
    const lagLimit = now - config['min.compaction.lag.ms'];
    const cleanable: LogSegment[] = [];
    for (const s of partition.sealedSegments()) {
      if (s.maxTimestamp > lagLimit) break;
      cleanable.push(s);
    }
    if (cleanable.length === 0) return null;

    const checkpoint = await readCheckpoint(partition.partitionDir);
    let total = 0;
    let dirty = 0;
    for (const s of cleanable) {
      total += s.size;
      if (s.nextOffset > checkpoint.offset) dirty += s.size;
    }
    // tombstones whose horizon has passed go even from a partition nothing new was written to
    const tombstonesDue = checkpoint.horizon !== null && checkpoint.horizon <= now;
    if (!tombstonesDue && (dirty === 0 || dirty / total < config['min.cleanable.dirty.ratio'])) return null;

    for (const s of cleanable) s.retain();
    try {
      const latest = await this.buildKeyMap(cleanable);
      const horizons = { now, next: now + config['delete.retention.ms'] };
      let removed = 0;
      let after = 0;
      let earliest: number | null = null;
      for (const run of groupBySize(cleanable, config['segment.bytes'])) {
        const result = await this.rewrite(partition, run, latest, horizons);
        removed += result.removed;
        earliest = earlier(earliest, result.horizon);
        after++;
      }
      await writeFileAtomic(
        path.join(partition.partitionDir, CHECKPOINT_FILE),
        `${cleanable[cleanable.length - 1]!.nextOffset}${earliest === null ? '' : ` ${earliest}`}`,
      );
      this.logger.info(
        {
          topic: partition.topic,
          partition: partition.partition,
          segmentsBefore: cleanable.length,
          segmentsAfter: after,
          recordsRemoved: removed,
        },
        `compacted ${partition.topic}-${partition.partition}: ${cleanable.length} segments into ${after}, ${removed} records removed`,
      );
      return { segmentsBefore: cleanable.length, segmentsAfter: after, recordsRemoved: removed };
    } finally {
      for (const s of cleanable) await s.release();
    }
  }

  private async buildKeyMap(segments: readonly LogSegment[]): Promise<Map<string, number>> {
    const latest = new Map<string, number>();
    const records: LogRecord[] = [];
    for (const segment of segments) {
      await segment.forEachBatch((data, pos, size) => {
        const check = checkBatch(data, pos, pos + size);
        if (!check.ok) throw segment.corruptAt(pos, check.reason);
        records.length = 0;
        this.decoder.decode(data, pos, records);
        for (const r of records) if (r.key !== null) latest.set(r.key.toString('latin1'), r.offset);
      });
    }
    return latest;
  }

  /**
   * Rewrites one run of segments into one; returns how many records it dropped, and the earliest
   * delete horizon of the tombstones it kept (null: none).
   */
  private async rewrite(
    partition: PartitionLog,
    run: readonly LogSegment[],
    latest: Map<string, number>,
    /** `now`, past which a batch's delete horizon lets its tombstones go; `next`, the horizon of batches that get one now. */
    horizons: { now: number; next: number },
  ): Promise<{ removed: number; horizon: number | null }> {
    const dir = partition.partitionDir;
    const base = run[0]!.baseOffset;
    const file = cleanedPath(dir, base);
    const writer = SegmentFileWriter.create(file);
    const kept: LogRecord[] = [];
    const records: LogRecord[] = [];
    let removed = 0;
    let earliest: number | null = null;
    try {
      for (const segment of run) {
        await segment.forEachBatch(async (data, pos, size) => {
          records.length = 0;
          this.decoder.decode(data, pos, records);
          const horizon = deleteHorizonOf(data, pos);
          const tombstonesGo = horizon !== null && horizon <= horizons.now;
          kept.length = 0;
          let keptTombstone = false;
          for (const r of records) {
            const isLatest = r.key === null || latest.get(r.key.toString('latin1')) === r.offset;
            if (!isLatest || (r.value === null && tombstonesGo)) continue;
            kept.push(r);
            if (r.value === null) keptTombstone = true;
          }
          removed += records.length - kept.length;
          // tombstones kept for the first time start their delete.retention.ms now
          const newHorizon = keptTombstone && horizon === null ? horizons.next : null;
          const keptHorizon = keptTombstone ? (newHorizon ?? horizon) : null;
          earliest = earlier(earliest, keptHorizon);
          if (kept.length === records.length && newHorizon === null) {
            await writer.write(Buffer.from(data.subarray(pos, pos + size)));
          } else if (kept.length > 0) {
            const codec = data.readInt16BE(pos + ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK;
            await writer.write(
              this.encoder.reencode(kept, {
                compression: CODEC_NAMES[codec] ?? 'none',
                deleteHorizonMs: keptHorizon,
              }),
            );
          }
        });
      }
      await writer.finish();
    } catch (err) {
      writer.abort();
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    const swap = await commitCleaned(file);
    await partition.replaceSegments(run, async () => {
      await completeSwap(
        swap,
        run.map((s) => s.baseOffset),
      );
      const segment = await LogSegment.open(dir, base, {
        recover: false,
        indexIntervalBytes: partition.config['index.interval.bytes'],
        logger: this.logger,
      });
      await segment.writeIndexes();
      return segment;
    });
    return { removed, horizon: earliest };
  }
}

/** The earlier of two times, either of which may be missing (null). */
function earlier(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function groupBySize(segments: readonly LogSegment[], maxBytes: number): LogSegment[][] {
  const runs: LogSegment[][] = [];
  let current: LogSegment[] = [];
  let size = 0;
  for (const s of segments) {
    if (current.length > 0 && size + s.size > maxBytes) {
      runs.push(current);
      current = [];
      size = 0;
    }
    current.push(s);
    size += s.size;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/**
 * "<offset>[ <horizon>]": the offset before which segments are clean, and the earliest delete
 * horizon of the tombstones they hold (files written before horizons have the offset only).
 */
async function readCheckpoint(dir: string): Promise<{ offset: number; horizon: number | null }> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(dir, CHECKPOINT_FILE), 'utf8');
  } catch {
    return { offset: 0, horizon: null };
  }
  const [offset, horizon] = text.trim().split(' ').map(Number);
  return {
    offset: Number.isSafeInteger(offset) ? offset! : 0,
    horizon: horizon !== undefined && Number.isSafeInteger(horizon) ? horizon : null,
  };
}
