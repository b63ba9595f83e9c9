import fs from 'node:fs';
import path from 'node:path';
import { BATCH_HEADER_SIZE, batchLastOffset, batchSizeAt } from '../../format/record-batch.js';
import type { Logger } from '../../logger.js';
import { close, fdatasync, fsyncDir, readFully, writeAllAt } from './fs-io.js';
import { parseSegmentFileName, segmentFileName } from './log-segment.js';

/*
 * Replacing a run of segments with one rewritten (compacted) segment, crash-safely, in the way
 * Kafka's cleaner does it:
 *
 *   1. write <base>.log.cleaned, fsync          crash: the .cleaned file is junk, deleted on open
 *   2. rename to <base>.log.swap, fsync dir     the commit point
 *   3. delete the replaced segments' files, rename .swap to <base>.log, fsync dir
 *
 * On open, a .swap file means step 3 did not finish: it is finished then, deleting every segment
 * the swap file's offsets cover.
 */

const CLEANED = '.log.cleaned';
const SWAP = '.log.swap';

export function cleanedPath(dir: string, baseOffset: number): string {
  return path.join(dir, `${String(baseOffset).padStart(20, '0')}${CLEANED}`);
}

/** Step 2: the rewritten segment at `cleanedFile` (already fsynced) becomes the committed replacement. */
export async function commitCleaned(cleanedFile: string): Promise<string> {
  const swap = cleanedFile.slice(0, -CLEANED.length) + SWAP;
  await fs.promises.rename(cleanedFile, swap);
  await fsyncDir(path.dirname(cleanedFile));
  return swap;
}

async function removeSegmentFiles(dir: string, baseOffset: number, keepLog: boolean): Promise<void> {
  const suffixes = keepLog
    ? (['.index', '.timeindex'] as const)
    : (['.log', '.index', '.timeindex'] as const);
  for (const suffix of suffixes) {
    await fs.promises.rm(path.join(dir, segmentFileName(baseOffset, suffix)), { force: true });
  }
}

/** Step 3: replaces the segments `replacedBases` (the first equal to the swap's base) with the swap file. */
export async function completeSwap(swapFile: string, replacedBases: readonly number[]): Promise<void> {
  const dir = path.dirname(swapFile);
  const base = Number(path.basename(swapFile).slice(0, 20));
  for (const b of replacedBases) await removeSegmentFiles(dir, b, b === base);
  await fs.promises.rename(swapFile, path.join(dir, segmentFileName(base, '.log')));
  await fsyncDir(dir);
}

/** On open: drops unfinished rewrites and completes committed ones. */
export async function recoverSwaps(dir: string, logger: Logger): Promise<void> {
  const names = await fs.promises.readdir(dir);
  for (const name of names) {
    if (name.endsWith(CLEANED)) await fs.promises.rm(path.join(dir, name), { force: true });
  }
  for (const name of names.filter((n) => n.endsWith(SWAP)).sort()) {
    const swapFile = path.join(dir, name);
    const base = Number(name.slice(0, 20));
    const last = await lastOffsetOf(swapFile);
    const covered = names
      .map(parseSegmentFileName)
      .filter((b): b is number => b !== null && b >= base && (last === null ? b === base : b <= last));
    if (!covered.includes(base)) covered.unshift(base);
    logger.warn({ path: swapFile }, `completing an interrupted segment swap: ${swapFile}`);
    await completeSwap(swapFile, covered);
  }
}

async function lastOffsetOf(file: string): Promise<number | null> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    let position = 0;
    let last: number | null = null;
    while (position + BATCH_HEADER_SIZE <= size) {
      await readFully(fd, header, BATCH_HEADER_SIZE, position);
      const batchSize = batchSizeAt(header, 0);
      if (batchSize < BATCH_HEADER_SIZE) break;
      last = batchLastOffset(header, 0);
      position += batchSize;
    }
    return last;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes batches to a new file in large sequential writes. */
export class SegmentFileWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private position = 0;

  private constructor(private readonly fd: number) {}

  static create(file: string): SegmentFileWriter {
    return new SegmentFileWriter(fs.openSync(file, 'w', 0o644));
  }

  async write(batch: Buffer): Promise<void> {
    this.pending.push(batch);
    this.pendingBytes += batch.length;
    if (this.pendingBytes >= 1024 * 1024) await this.writePending();
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    await writeAllAt(this.fd, this.pending, this.position);
    this.position += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

  get bytesWritten(): number {
    return this.position + this.pendingBytes;
  }

  /** Flushes, fsyncs and closes. */
  async finish(): Promise<void> {
    try {
      await this.writePending();
      await fdatasync(this.fd);
    } finally {
      await close(this.fd);
    }
  }

  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
