import fs from 'node:fs';
import { LogError } from '../../errors.js';
import {
  batchBaseOffset,
  batchLastOffset,
  BATCH_HEADER_SIZE,
  batchSizeAt,
  checkBatch,
  LAST_OFFSET_DELTA_OFFSET,
  MAX_TIMESTAMP_OFFSET,
} from '../../format/record-batch.js';
import { RecordBatchDecoder } from '../../format/record-batch-decoder.js';
import { readInt64BE, writeInt64BE } from '../../format/varint.js';
import type { Logger } from '../../logger.js';
import type { LogRecord } from '../../record.js';
import { isCompacted, type TopicConfig } from '../../topics/topic-config.js';
import type { AppendResult, FetchRequest, FetchResult, PartitionDescription } from '../log-storage.js';
import type { DurabilityPolicy } from './durability-policy.js';
import { writeAllAt } from './fs-io.js';
import { LogSegment, parseSegmentFileName } from './log-segment.js';
import { recoverSwaps } from './segment-swap.js';
import { SerialExecutor } from './serial-executor.js';

interface PendingAppend {
  batch: Buffer;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** Set once written: the segment and the file position after the batch. */
  segment: LogSegment | null;
  end: number;
  resolve: (result: AppendResult) => void;
  reject: (err: unknown) => void;
}

/** Where a sequential reader's next fetch starts, so it need not search the index again. */
interface ReadCursor {
  segment: LogSegment;
  offset: number;
  position: number;
}

const MAX_RELATIVE_OFFSET = 0xffffffff;
const READ_CURSORS = 16;

export interface PartitionLogOptions {
  dir: string;
  topic: string;
  partition: number;
  config: TopicConfig;
  durability: DurabilityPolicy;
  /** Check every batch of the last segment on open (after an unclean shutdown). */
  recover: boolean;
  logger: Logger;
}

/**
 * One partition: an ordered list of segments, the last one active. Appends are assigned offsets
 * synchronously, in call order. A write loop writes whatever has queued up in one writev, and a
 * sync loop fdatasyncs whatever has been written, so many appends share each write and each sync
 * (group commit) and the next write overlaps the current sync. Readers see only what is durable
 * (the high watermark), so a crash can never take back a record a consumer has already seen.
 */
export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  config: TopicConfig;

  private segments: LogSegment[] = [];
  /** Offset the next append gets. */
  private nextOffset = 0;
  /** Offset after the last readable record. */
  private highWatermark = 0;
  /** Offsets assigned, not yet written. */
  private queue: PendingAppend[] = [];
  /** Written, not yet synced (fsync policy only). */
  private unsynced: PendingAppend[] = [];
  private writing = false;
  private syncing: Promise<void> | null = null;
  private failure: LogError | null = null;
  private closed = false;
  private readonly writes = new SerialExecutor();
  private readonly waiters = new Set<() => void>();
  private cursors: ReadCursor[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private dirty = false;

  private constructor(private readonly options: PartitionLogOptions) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.config = options.config;
  }

  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(options);
    await log.load();
    return log;
  }

  private get dir(): string {
    return this.options.dir;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  private async load(): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    await recoverSwaps(this.dir, this.options.logger);
    const names = await fs.promises.readdir(this.dir);
    const bases = names
      .map(parseSegmentFileName)
      .filter((b): b is number => b !== null)
      .sort((a, b) => a - b);
    for (let i = 0; i < bases.length; i++) {
      const last = i === bases.length - 1;
      const segment = await LogSegment.open(this.dir, bases[i]!, {
        recover: last && this.options.recover,
        indexIntervalBytes: this.config['index.interval.bytes'],
        logger: this.options.logger,
      });
      this.segments.push(segment);
    }
    if (this.segments.length === 0) {
      this.segments.push(await LogSegment.create(this.dir, 0, this.config['index.interval.bytes']));
    }
    this.nextOffset = this.highWatermark = this.active.nextOffset;
    if (this.options.durability.mode === 'interval') {
      const interval = this.options.durability.intervalMs;
      this.flushTimer = setInterval(() => void this.flushIfDirty(), interval);
      this.flushTimer.unref();
    }
  }

  get logStartOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  get endOffset(): number {
    return this.highWatermark;
  }

  describe(): PartitionDescription {
    let size = 0;
    for (const s of this.segments) size += s.size;
    return {
      partition: this.partition,
      startOffset: this.logStartOffset,
      endOffset: this.highWatermark,
      sizeBytes: size,
      segments: this.segments.length,
    };
  }

  /**
   * Appends one encoded batch. Its offsets are fixed now, in call order; the promise resolves once
   * the batch is durable. The buffer's base offset field is overwritten in place.
   */
  append(batch: Buffer): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new LogError('CLOSED', `partition ${this.name} is closed`));
    if (this.failure) return Promise.reject(this.failure);
    const maxBytes = this.config['max.message.bytes'];
    if (batch.length > maxBytes) {
      return Promise.reject(
        new LogError(
          'RECORD_TOO_LARGE',
          `record batch of ${batch.length} bytes exceeds max.message.bytes ${maxBytes} of topic ${this.topic}`,
          { topic: this.topic, partition: this.partition, field: 'max.message.bytes' },
        ),
      );
    }
    // Framing only: the CRC is checked where bytes come back from disk (fetch, recovery), and the
    // batches come from the in-process encoder, so checking it here too would cost a third of the
    // append path for nothing.
    const check = checkBatch(batch, 0, batch.length, false);
    if (!check.ok || check.size !== batch.length || batch.readInt32BE(LAST_OFFSET_DELTA_OFFSET) < 0) {
      return Promise.reject(
        new LogError(
          'CORRUPT_RECORD',
          `refusing a malformed record batch (${check.ok ? 'trailing bytes' : check.reason})`,
          {
            topic: this.topic,
            partition: this.partition,
          },
        ),
      );
    }
    if (isCompacted(this.config)) {
      const keyless = this.firstKeylessRecord(batch);
      if (keyless >= 0) {
        return Promise.reject(
          new LogError(
            'INVALID_RECORD',
            `topic ${this.topic} is compacted: every record needs a key (record ${keyless} has none)`,
            {
              topic: this.topic,
              partition: this.partition,
              field: 'key',
            },
          ),
        );
      }
    }
    const baseOffset = this.nextOffset;
    const lastOffset = baseOffset + batch.readInt32BE(LAST_OFFSET_DELTA_OFFSET);
    writeInt64BE(batch, 0, baseOffset);
    this.nextOffset = lastOffset + 1;
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({
        batch,
        baseOffset,
        lastOffset,
        maxTimestamp: readInt64BE(batch, MAX_TIMESTAMP_OFFSET),
        segment: null,
        end: 0,
        resolve,
        reject,
      });
      if (!this.writing) {
        this.writing = true;
        void this.writes.run(() => this.writeLoop());
      }
    });
  }

  private firstKeylessRecord(batch: Buffer): number {
    const records: LogRecord[] = [];
    new RecordBatchDecoder().decode(batch, 0, records);
    return records.findIndex((r) => r.key === null);
  }

  private get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  /** Writes queued appends until the queue stays empty; appends arriving meanwhile join the next round. */
  private async writeLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const entries = this.queue;
      this.queue = [];
      if (this.failure) {
        for (const e of entries) e.reject(this.failure);
        continue;
      }
      try {
        await this.writeEntries(entries);
      } catch (err) {
        this.fail(err, entries);
        continue;
      }
      // an fsync that failed while these were being written: nothing will sync them now
      if (this.failure) {
        for (const e of entries) e.reject(this.failure);
        continue;
      }
      if (this.options.durability.mode === 'fsync') {
        for (const e of entries) this.unsynced.push(e);
        this.syncing ??= this.syncLoop().finally(() => {
          this.syncing = null;
        });
      } else {
        this.dirty = true;
        this.publish(entries);
      }
    }
    this.writing = false;
  }

  /**
   * Syncs what has been written, then acknowledges it. Only the active segment needs it: a roll
   * syncs the segment it seals before moving on.
   */
  private async syncLoop(): Promise<void> {
    if (this.failure) {
      for (const e of this.unsynced) e.reject(this.failure);
      this.unsynced = [];
      return;
    }
    while (this.unsynced.length > 0 && !this.failure) {
      const entries = this.unsynced;
      this.unsynced = [];
      try {
        const active = this.active;
        if (entries.some((e) => e.segment === active)) await active.flush();
      } catch (err) {
        this.fail(err, entries);
        return;
      }
      this.publish(entries);
    }
  }

  private async writeEntries(entries: PendingAppend[]): Promise<void> {
    let i = 0;
    while (i < entries.length) {
      if (this.shouldRoll(this.active, this.active.size, entries[i]!))
        await this.roll(entries[i]!.baseOffset);
      const segment = this.active;
      const start = segment.size;
      const buffers: Buffer[] = [];
      let position = start;
      let k = i;
      while (k < entries.length && (k === i || !this.shouldRoll(segment, position, entries[k]!))) {
        const e = entries[k]!;
        segment.indexBatch(e.baseOffset, e.lastOffset, e.maxTimestamp, position, e.batch.length);
        segment.firstAppendAt ??= Date.now();
        position += e.batch.length;
        e.segment = segment;
        e.end = position;
        buffers.push(e.batch);
        k++;
      }
      await writeAllAt(segment.descriptor, buffers, start);
      i = k;
    }
  }

  private shouldRoll(segment: LogSegment, size: number, entry: PendingAppend): boolean {
    if (size === 0) return false;
    return (
      size + entry.batch.length > this.config['segment.bytes'] ||
      (segment.firstAppendAt !== null && Date.now() - segment.firstAppendAt >= this.config['segment.ms']) ||
      entry.lastOffset - segment.baseOffset > MAX_RELATIVE_OFFSET
    );
  }

  /** Seals the active segment (durable, indexes written) and starts a new one at `baseOffset`. */
  private async roll(baseOffset: number): Promise<void> {
    const sealed = this.active;
    await sealed.flush();
    await sealed.writeIndexes();
    this.segments.push(await LogSegment.create(this.dir, baseOffset, this.config['index.interval.bytes']));
  }

  /** Makes durable entries readable, acknowledges them and wakes long polls. */
  private publish(entries: PendingAppend[]): void {
    for (const e of entries) {
      const segment = e.segment!;
      segment.readableSize = e.end;
      segment.readableNextOffset = e.lastOffset + 1;
    }
    this.highWatermark = entries[entries.length - 1]!.lastOffset + 1;
    for (const e of entries) e.resolve({ baseOffset: e.baseOffset, lastOffset: e.lastOffset });
    if (this.waiters.size > 0) {
      const wake = [...this.waiters];
      this.waiters.clear();
      for (const w of wake) w();
    }
  }

  /**
   * A failed write or fsync leaves the file in an unknown state (after a failed fsync even the
   * page cache cannot be trusted), so the partition stops taking appends until it is reopened,
   * when recovery cuts the file back to its last good batch.
   */
  private fail(err: unknown, entries: PendingAppend[]): void {
    this.failure = new LogError(
      'STORAGE_ERROR',
      `partition ${this.name} failed to write to ${this.active.path}: ${(err as Error).message}; it takes no appends until reopened`,
      { topic: this.topic, partition: this.partition, path: this.active.path },
      { cause: err, retriable: false },
    );
    this.options.logger.error({ err, topic: this.topic, partition: this.partition }, this.failure.message);
    for (const e of entries) e.reject(this.failure);
    for (const e of this.unsynced) e.reject(this.failure);
    for (const e of this.queue) e.reject(this.failure);
    this.unsynced = [];
    this.queue = [];
  }

  private async flushIfDirty(): Promise<void> {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    await this.writes.run(() => this.active.flush()).catch((err: unknown) => this.fail(err, []));
  }

  async fetch(request: FetchRequest): Promise<FetchResult> {
    const { offset } = request;
    if (!Number.isSafeInteger(offset) || offset < this.logStartOffset || offset > this.highWatermark) {
      throw new LogError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${offset} is out of range for ${this.name}: valid offsets are ${this.logStartOffset} to ${this.highWatermark}`,
        { topic: this.topic, partition: this.partition, offset },
      );
    }
    if (offset === this.highWatermark && (request.maxWaitMs ?? 0) > 0) {
      await this.waitForData(offset, request.maxWaitMs!, request.signal);
    }
    const empty = (): FetchResult => ({
      batches: Buffer.alloc(0),
      highWatermark: this.highWatermark,
      logStartOffset: this.logStartOffset,
    });
    if (offset >= this.highWatermark || this.closed) return empty();

    let index = this.segmentIndexFor(offset);
    while (index < this.segments.length) {
      const segment = this.segments[index]!.retain();
      try {
        const cursor = this.takeCursor(segment, offset);
        const location = cursor ?? (await segment.locate(offset));
        if (location) {
          const batches = await this.readBatches(segment, location.position, request.maxBytes);
          if (batches.length > 0) {
            return { batches, highWatermark: this.highWatermark, logStartOffset: this.logStartOffset };
          }
        }
      } finally {
        await segment.release();
      }
      // compaction can leave the rest of a segment empty: the offset lives in a later one. The
      // list may have changed during the awaits (the cleaner swapped or dropped segments): the
      // next one is found again, from this segment if it is still there, else from the offset
      const at = this.segments.indexOf(segment);
      index = at >= 0 ? at + 1 : this.segmentIndexFor(offset);
    }
    return empty();
  }

  /** Reads whole, CRC-checked batches from `position`; a corrupt first batch is an error. */
  private async readBatches(segment: LogSegment, position: number, maxBytes: number): Promise<Buffer> {
    let data = await segment.read(position, Math.max(maxBytes, BATCH_HEADER_SIZE));
    const firstSize = batchSizeAt(data, 0);
    if (firstSize > data.length && position + firstSize <= segment.readableSize) {
      data = await segment.read(position, firstSize);
    }
    let end = 0;
    let nextOffset = -1;
    while (end < data.length) {
      const check = checkBatch(data, end);
      if (!check.ok) {
        if (check.reason === 'truncated' && end > 0) break;
        if (end === 0) {
          throw segment.corruptAt(
            position,
            `${check.reason} (batch at offset ${data.length >= 8 ? batchBaseOffset(data, 0) : '?'})`,
          );
        }
        break; // the next fetch starts at the bad batch and reports it
      }
      nextOffset = batchLastOffset(data, end) + 1;
      end += check.size;
    }
    if (end > 0) this.saveCursor(segment, nextOffset, position + end);
    return end === data.length ? data : data.subarray(0, end);
  }

  private takeCursor(segment: LogSegment, offset: number): ReadCursor | null {
    for (let i = 0; i < this.cursors.length; i++) {
      const c = this.cursors[i]!;
      if (c.segment === segment && c.offset === offset) {
        this.cursors.splice(i, 1);
        return c.position < segment.readableSize ? c : null;
      }
    }
    return null;
  }

  private saveCursor(segment: LogSegment, offset: number, position: number): void {
    this.cursors.push({ segment, offset, position });
    if (this.cursors.length > READ_CURSORS) this.cursors.shift();
  }

  /** Index of the last segment whose base offset is <= `offset`. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private waitForData(offset: number, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted || this.closed || this.highWatermark > offset) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  async offsetForTimestamp(timestamp: number): Promise<number | null> {
    for (const segment of this.segments.slice()) {
      if (segment.maxTimestamp < timestamp) continue;
      segment.retain();
      try {
        const location = await segment.locateTimestamp(timestamp);
        if (!location) continue;
        const data = await this.readBatches(segment, location.position, 1);
        return this.firstOffsetAtOrAfter(data, timestamp);
      } finally {
        await segment.release();
      }
    }
    return null;
  }

  /** The located batch's max timestamp reaches `timestamp`, so one of its records does. */
  private firstOffsetAtOrAfter(batch: Buffer, timestamp: number): number | null {
    const records: LogRecord[] = [];
    new RecordBatchDecoder().decode(batch, 0, records);
    for (const r of records) if (r.timestamp >= timestamp) return r.offset;
    return null;
  }

  /**
   * Segments the cleaner may work on: every one but the active, and none whose last batches are
   * written but not yet durable and acknowledged (a roll seals a segment before its writes'
   * fsync): a copy made then would leave them out.
   */
  sealedSegments(): readonly LogSegment[] {
    const sealed = this.segments.slice(0, -1);
    const unpublished = sealed.findIndex((s) => s.readableSize < s.size);
    return unpublished < 0 ? sealed : sealed.slice(0, unpublished);
  }

  allSegments(): readonly LogSegment[] {
    return this.segments;
  }

  /**
   * Deletes segments by retention.ms and retention.bytes, oldest first. The active segment is
   * rolled first when everything in it has expired, so an idle topic still empties.
   */
  async applyRetention(now: number): Promise<number> {
    return this.writes.run(async () => {
      // closed meanwhile (the topic deleted): its files are going, and a roll would open one more
      if (this.closed) return 0;
      const retentionMs = this.config['retention.ms'];
      const retentionBytes = this.config['retention.bytes'];
      let excess = -1;
      if (retentionBytes >= 0) {
        excess = -retentionBytes;
        for (const s of this.segments) excess += s.size;
      }
      const doomed: LogSegment[] = [];
      for (const segment of this.segments) {
        const expired = retentionMs >= 0 && segment.size > 0 && now - segment.maxTimestamp > retentionMs;
        const oversize = retentionBytes >= 0 && excess - segment.size >= 0;
        if (!expired && !oversize) break;
        if (segment === this.active) {
          if (!expired || this.highWatermark !== this.nextOffset) break;
          await this.roll(this.nextOffset);
        }
        doomed.push(segment);
        excess -= segment.size;
      }
      if (doomed.length === 0) return 0;
      this.segments = this.segments.slice(doomed.length);
      this.cursors = this.cursors.filter((c) => !doomed.includes(c.segment));
      for (const s of doomed) {
        this.options.logger.info(
          { topic: this.topic, partition: this.partition, baseOffset: s.baseOffset, path: s.path },
          `retention deleted segment ${s.path}`,
        );
        await s.retire(true);
      }
      return doomed.length;
    });
  }

  /**
   * Replaces the sealed segments `replaced` (a contiguous run) with the one `swap` puts on disk.
   * Runs between writes, so no roll or append sees a half-done swap and readers switch at once;
   * reads already running finish on the old files, which close when released.
   */
  async replaceSegments(replaced: readonly LogSegment[], swap: () => Promise<LogSegment>): Promise<void> {
    await this.writes.run(async () => {
      // closed meanwhile (the topic deleted): a swap now would open a segment nothing releases
      if (this.closed) throw new LogError('CLOSED', `partition ${this.name} is closed`);
      const start = this.segments.indexOf(replaced[0]!);
      if (start < 0 || this.segments[start + replaced.length - 1] !== replaced[replaced.length - 1]) {
        throw new LogError('STORAGE_ERROR', `segments of ${this.name} changed during compaction`);
      }
      const replacement = await swap();
      this.segments.splice(start, replaced.length, replacement);
      this.cursors = this.cursors.filter((c) => !replaced.includes(c.segment));
      for (const s of replaced) await s.retire(false);
    });
  }

  get partitionDir(): string {
    return this.dir;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.writes.idle();
    await this.syncing;
    for (const w of [...this.waiters]) w();
    if (!this.failure) {
      await this.active.flush();
      await this.active.writeIndexes();
    }
    for (const s of this.segments) await s.release();
  }
}
