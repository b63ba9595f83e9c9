import fs from 'node:fs';
import path from 'node:path';
import { LogError } from '../../errors.js';
import {
  batchBaseOffset,
  batchLastOffset,
  batchMaxTimestamp,
  BATCH_HEADER_SIZE,
  batchSizeAt,
  checkBatch,
} from '../../format/record-batch.js';
import type { Logger } from '../../logger.js';
import { close, fdatasync, fsyncDir, ftruncate, readFully, writeFileAtomic } from './fs-io.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

const SCAN_CHUNK = 64 * 1024;
const RECOVERY_CHUNK = 8 * 1024 * 1024;

export function segmentFileName(baseOffset: number, suffix: '.log' | '.index' | '.timeindex'): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

export function parseSegmentFileName(name: string): number | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m ? Number(m[1]) : null;
}

export interface SegmentLocation {
  /** File position of the batch. */
  position: number;
  /** Its base offset. */
  baseOffset: number;
}

/**
 * One `<base offset>.log` file of a partition, with its sparse indexes. Only the partition's
 * append loop writes to it; readers take a reference (retain/release) so that retention and
 * compaction can replace a segment while reads of it are still running.
 */
export class LogSegment {
  /** Bytes written to the file. */
  size = 0;
  /** Bytes readers may see: durable ones, or all written ones under interval flushing. */
  readableSize = 0;
  /** Offset after the last written batch. */
  nextOffset: number;
  /** Offset after the last readable batch. */
  readableNextOffset: number;
  maxTimestamp = -1;
  /** Wall-clock time of the first append (its file's birth once reopened), for rolling by segment.ms. */
  firstAppendAt: number | null = null;

  private bytesSinceIndexEntry = 0;
  private refs = 1;
  private closed = false;
  private unlinkOnClose = false;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private fd: number,
    private offsetIndex: OffsetIndex,
    private timeIndex: TimeIndex,
    private readonly indexIntervalBytes: number,
  ) {
    this.nextOffset = baseOffset;
    this.readableNextOffset = baseOffset;
  }

  get path(): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, '.log'));
  }

  static async create(dir: string, baseOffset: number, indexIntervalBytes: number): Promise<LogSegment> {
    const file = path.join(dir, segmentFileName(baseOffset, '.log'));
    // a leftover file from a crash between creating it and the first durable write may be there
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    await fsyncDir(dir);
    return new LogSegment(
      dir,
      baseOffset,
      fd,
      new OffsetIndex(baseOffset),
      new TimeIndex(baseOffset),
      indexIntervalBytes,
    );
  }

  /**
   * Opens an existing segment. With `recover`, every batch is checked (length, magic, CRC, offset
   * order) and the file is cut after the last good one, which is logged with path and offset;
   * the indexes are rebuilt on the way. Without, the index files are trusted when well-formed.
   */
  static async open(
    dir: string,
    baseOffset: number,
    options: { recover: boolean; indexIntervalBytes: number; logger: Logger },
  ): Promise<LogSegment> {
    const file = path.join(dir, segmentFileName(baseOffset, '.log'));
    const fd = fs.openSync(file, fs.constants.O_RDWR);
    const segment = new LogSegment(
      dir,
      baseOffset,
      fd,
      new OffsetIndex(baseOffset),
      new TimeIndex(baseOffset),
      options.indexIntervalBytes,
    );
    try {
      const stats = fs.fstatSync(fd);
      const size = stats.size;
      if (options.recover || !(await segment.loadIndexes(size))) {
        await segment.scan(size, options.logger);
      }
      // segment.ms counts from the segment's first append, which a restart must not reset (a
      // worker restarted more often than segment.ms never rolled by time: no compaction, no
      // retention by age); the file's birth is that moment, where the file system records it
      if (segment.size > 0 && stats.birthtimeMs > 0) segment.firstAppendAt = stats.birthtimeMs;
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    return segment;
  }

  /** Loads trusted index files and the segment's tail facts; false when they must be rebuilt. */
  private async loadIndexes(size: number): Promise<boolean> {
    let offsetData: Buffer;
    let timeData: Buffer;
    try {
      offsetData = await fs.promises.readFile(
        path.join(this.dir, segmentFileName(this.baseOffset, '.index')),
      );
      timeData = await fs.promises.readFile(
        path.join(this.dir, segmentFileName(this.baseOffset, '.timeindex')),
      );
    } catch {
      return false;
    }
    const offsetIndex = OffsetIndex.deserialize(this.baseOffset, offsetData, Math.max(size, 1));
    const timeIndex = TimeIndex.deserialize(this.baseOffset, timeData);
    if (!offsetIndex || !timeIndex) return false;
    if (size === 0) {
      this.offsetIndex = offsetIndex;
      this.timeIndex = timeIndex;
      return true;
    }
    // The last batch gives nextOffset and the max timestamp: walk from the last index entry.
    let position = offsetIndex.entries > 0 ? offsetIndex.lookup(Number.MAX_SAFE_INTEGER) : 0;
    const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    let last = -1;
    let maxTs = -1;
    while (position < size) {
      if ((await readFully(this.fd, header, BATCH_HEADER_SIZE, position)) < BATCH_HEADER_SIZE) return false;
      const batchSize = batchSizeAt(header, 0);
      if (batchSize < BATCH_HEADER_SIZE || position + batchSize > size) return false;
      last = batchLastOffset(header, 0);
      maxTs = Math.max(maxTs, batchMaxTimestamp(header, 0));
      position += batchSize;
    }
    if (last < 0) return false;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.size = this.readableSize = size;
    this.nextOffset = this.readableNextOffset = last + 1;
    this.maxTimestamp = Math.max(maxTs, timeIndex.lastTimestamp);
    return true;
  }

  /** Validates every batch, rebuilds the indexes and truncates a bad tail. */
  private async scan(fileSize: number, logger: Logger): Promise<void> {
    this.offsetIndex = new OffsetIndex(this.baseOffset);
    this.timeIndex = new TimeIndex(this.baseOffset);
    this.size = 0;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.bytesSinceIndexEntry = 0;

    let chunk = Buffer.allocUnsafe(Math.min(RECOVERY_CHUNK, Math.max(fileSize, BATCH_HEADER_SIZE)));
    let chunkStart = 0;
    let chunkLength = 0;
    let position = 0;
    let problem: string | null = null;
    while (position < fileSize) {
      let rel = position - chunkStart;
      if (rel + BATCH_HEADER_SIZE > chunkLength) {
        chunkStart = position;
        chunkLength = await readFully(this.fd, chunk, Math.min(chunk.length, fileSize - position), position);
        rel = 0;
      }
      const declared = batchSizeAt(chunk, rel, chunkLength);
      if (declared > chunkLength - rel && declared <= fileSize - position && declared > 0) {
        if (declared > chunk.length) chunk = Buffer.allocUnsafe(declared);
        chunkStart = position;
        chunkLength = await readFully(this.fd, chunk, Math.min(chunk.length, fileSize - position), position);
        rel = 0;
      }
      const check = checkBatch(chunk, rel, chunkLength);
      if (!check.ok) {
        problem = check.reason === 'truncated' ? 'torn batch at the end' : `bad batch (${check.reason})`;
        break;
      }
      const base = batchBaseOffset(chunk, rel);
      const last = batchLastOffset(chunk, rel);
      if (base < this.nextOffset || last < base) {
        problem = `batch offsets ${base}..${last} out of order after ${this.nextOffset - 1}`;
        break;
      }
      this.indexBatch(base, last, batchMaxTimestamp(chunk, rel), position, check.size);
      position += check.size;
    }
    if (problem !== null) {
      logger.warn(
        { path: this.path, position, offset: this.nextOffset, droppedBytes: fileSize - position },
        `log segment ${this.path}: ${problem} at file position ${position} (offset ${this.nextOffset}); truncating ${fileSize - position} bytes`,
      );
      await ftruncate(this.fd, position);
      await fdatasync(this.fd);
    }
    this.size = this.readableSize = position;
    this.readableNextOffset = this.nextOffset;
  }

  /** Notes a batch written at `position`: index entries and the tail facts. */
  indexBatch(
    baseOffset: number,
    lastOffset: number,
    maxTimestamp: number,
    position: number,
    size: number,
  ): void {
    if (this.bytesSinceIndexEntry >= this.indexIntervalBytes || this.offsetIndex.entries === 0) {
      this.offsetIndex.append(baseOffset, position);
      this.timeIndex.maybeAppend(Math.max(maxTimestamp, this.maxTimestamp), baseOffset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    this.nextOffset = lastOffset + 1;
    this.size = position + size;
  }

  get descriptor(): number {
    if (this.closed) throw new LogError('CLOSED', `segment ${this.path} is closed`);
    return this.fd;
  }

  /** Makes everything written so far durable. */
  async flush(): Promise<void> {
    await fdatasync(this.descriptor);
  }

  /** Writes the index files; called when the segment stops being active and on clean close. */
  async writeIndexes(): Promise<void> {
    await writeFileAtomic(
      path.join(this.dir, segmentFileName(this.baseOffset, '.index')),
      this.offsetIndex.serialize(),
    );
    await writeFileAtomic(
      path.join(this.dir, segmentFileName(this.baseOffset, '.timeindex')),
      this.timeIndex.serialize(),
    );
  }

  /**
   * Where to start reading for `offset`: the position of the batch holding it, or of the first
   * batch after it (compaction leaves gaps); null when the readable part has none.
   */
  async locate(offset: number): Promise<SegmentLocation | null> {
    const limit = this.readableSize;
    let position = this.offsetIndex.lookup(offset);
    const chunk = Buffer.allocUnsafe(SCAN_CHUNK);
    while (position < limit) {
      const n = await readFully(this.fd, chunk, Math.min(SCAN_CHUNK, limit - position), position);
      let rel = 0;
      while (rel + BATCH_HEADER_SIZE <= n) {
        const size = batchSizeAt(chunk, rel, n);
        if (size < BATCH_HEADER_SIZE) throw this.corruptAt(position + rel, 'bad batch length');
        if (batchLastOffset(chunk, rel) >= offset)
          return { position: position + rel, baseOffset: batchBaseOffset(chunk, rel) };
        rel += size;
      }
      if (n === 0) break;
      // readable data ends on a batch boundary: a length that leads to less than a header before
      // it, or past it, is corruption (and the first would read the same spot for ever)
      if (rel === 0) throw this.corruptAt(position, 'a batch header cut short');
      position += rel;
    }
    if (position > limit) throw this.corruptAt(position, 'a batch length past the end of the data');
    return null;
  }

  /** First batch whose max timestamp is >= `timestamp`, or null. */
  async locateTimestamp(timestamp: number): Promise<SegmentLocation | null> {
    if (this.maxTimestamp < timestamp) return null;
    const start = await this.locate(this.timeIndex.lookup(timestamp));
    if (!start) return null;
    const limit = this.readableSize;
    let position = start.position;
    const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    while (position < limit) {
      if ((await readFully(this.fd, header, BATCH_HEADER_SIZE, position)) < BATCH_HEADER_SIZE) break;
      if (batchMaxTimestamp(header, 0) >= timestamp)
        return { position, baseOffset: batchBaseOffset(header, 0) };
      position += batchSizeAt(header, 0);
    }
    return null;
  }

  /** Calls `visit` for every readable batch in order, reading the file in large chunks. */
  async forEachBatch(
    visit: (data: Buffer, position: number, size: number) => Promise<void> | void,
  ): Promise<void> {
    const limit = this.readableSize;
    let chunk = Buffer.allocUnsafe(Math.min(RECOVERY_CHUNK, Math.max(limit, BATCH_HEADER_SIZE)));
    let position = 0;
    while (position < limit) {
      const n = await readFully(this.fd, chunk, Math.min(chunk.length, limit - position), position);
      let rel = 0;
      while (rel < n) {
        const size = batchSizeAt(chunk, rel, n);
        if (size < 0 || rel + size > n) break;
        if (size < BATCH_HEADER_SIZE) throw this.corruptAt(position + rel, 'bad batch length');
        await visit(chunk, rel, size);
        rel += size;
      }
      if (rel === 0) {
        const size = batchSizeAt(chunk, 0, n);
        if (size <= chunk.length || position + size > limit)
          throw this.corruptAt(position, 'batch overruns the segment');
        chunk = Buffer.allocUnsafe(size);
        continue;
      }
      position += rel;
    }
  }

  /** Reads `length` bytes at `position` (clamped to the readable part). */
  async read(position: number, length: number): Promise<Buffer> {
    const n = Math.max(0, Math.min(length, this.readableSize - position));
    const buf = Buffer.allocUnsafe(n);
    const got = await readFully(this.fd, buf, n, position);
    return got === n ? buf : buf.subarray(0, got);
  }

  corruptAt(position: number, reason: string): LogError {
    return new LogError(
      'CORRUPT_RECORD',
      `corrupt record batch in ${this.path} at file position ${position}: ${reason}`,
      {
        path: this.path,
        position,
      },
    );
  }

  retain(): this {
    this.refs++;
    return this;
  }

  /** Drops a reference; the file closes when the last one goes. */
  async release(): Promise<void> {
    if (--this.refs === 0 && !this.closed) {
      this.closed = true;
      await close(this.fd);
      if (this.unlinkOnClose) await this.unlinkFiles();
    }
  }

  /**
   * Takes the segment out of service: its files are deleted once no reader holds it any more
   * (retention), or left alone when a compacted segment already took their place (`unlink` false).
   */
  async retire(unlink: boolean): Promise<void> {
    this.unlinkOnClose = unlink;
    await this.release();
  }

  private async unlinkFiles(): Promise<void> {
    for (const suffix of ['.log', '.index', '.timeindex'] as const) {
      await fs.promises.rm(path.join(this.dir, segmentFileName(this.baseOffset, suffix)), { force: true });
    }
  }
}
