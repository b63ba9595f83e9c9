import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Schema } from '@sluice/connect-api';
import {
  FINGERPRINT_BYTES,
  fingerprintOf,
  identityKey,
  sameIdentity,
  type FileIdentity,
} from './file-identity.js';
import { RecordFramer, type Frame } from './record-framer.js';

/** What a source offset holds for a file (see file-identity.ts for the fingerprint). */
export interface FileOffset {
  /** Bytes of the file consumed: the position right after the last emitted line. */
  position: number;
  /** Lines consumed (csv records may span several). */
  line: number;
  fingerprint: string;
  fingerprintBytes: number;
}

/** A stored offset, if it has the shape the file source writes (anything else is ignored). */
export function parseFileOffset(stored: Record<string, unknown> | null): FileOffset | null {
  if (!stored) return null;
  const { position, line, fingerprint, fingerprintBytes } = stored;
  if (
    typeof position !== 'number' ||
    !Number.isSafeInteger(position) ||
    position < 0 ||
    typeof line !== 'number' ||
    !Number.isSafeInteger(line) ||
    line < 0 ||
    typeof fingerprint !== 'string' ||
    typeof fingerprintBytes !== 'number' ||
    !Number.isSafeInteger(fingerprintBytes) ||
    fingerprintBytes < 0
  ) {
    return null;
  }
  return { position, line, fingerprint, fingerprintBytes };
}

/** A record's bytes, or a record too long to keep, with where it lies in the file. */
export type TailItem =
  | {
      kind: 'record';
      bytes: Buffer;
      start: number;
      end: number;
      firstLine: number;
      lastLine: number;
      /** csv only: the file ended inside an open quoted field (a final record taken as is). */
      unterminatedQuote: boolean;
    }
  | { kind: 'oversize'; start: number; end: number; firstLine: number; size: number };

/** A csv file's column names, read from its first row. */
export interface CsvHeader {
  readonly columns: readonly string[];
  readonly schema: Schema;
  /** Column of key.field, or -1. */
  readonly keyIndex: number;
}

export type RestatResult = 'same' | 'changed' | 'rewritten';

export type ResumeResult = 'resumed' | 'truncated' | 'replaced';

const EMPTY = Buffer.alloc(0);

/**
 * One file being tailed through an open descriptor: renames and deletion do not stop reading,
 * so a rotated file is read to its end. Reads go in chunks through a scratch buffer the task
 * shares between its files; memory per file is the unfinished line plus the first
 * FINGERPRINT_BYTES bytes.
 */
export class TailedFile {
  readonly key: string;
  /** Path relative to the watched directory, as last seen. */
  relPath: string;
  /** No longer at any watched path (renamed away or deleted): read to the end, then dropped. */
  detached = false;
  /** Bumped on truncation, so acknowledgements of records from before it are ignored. */
  generation = 0;
  /** Bytes consumed up to the end of the last complete record. */
  position = 0;
  /** Lines consumed up to position. */
  line = 0;
  /** End of the last record handed out as a SourceRecord (skipped lines do not count). */
  emittedPosition = 0;
  /** Highest position whose records the runtime has made durable. */
  ackedPosition = 0;
  /** Highest position of the records handed to the runtime (the end of a returned poll). */
  returnedPosition = 0;
  /** Size and mtime from the last fstat, and when we saw them change. */
  size: number;
  mtimeMs: number;
  changedAt: number;
  csvHeader: CsvHeader | null = null;
  /** On the next end of input, hand out the unfinished last line as a record (the file is done). */
  flushRemainder = false;
  /** Bytes fed to the framer (position plus the unfinished tail). */
  private readPos = 0;
  /** The file's first min(FINGERPRINT_BYTES, readPos) bytes. */
  private head: Buffer = EMPTY;
  private frozenFingerprint: string | null = null;
  private readonly framer: RecordFramer;

  private constructor(
    readonly identity: FileIdentity,
    relPath: string,
    private readonly handle: FileHandle,
    stats: { size: number; mtimeMs: number },
    private readonly csv: boolean,
    private readonly maxLineBytes: number,
    private readonly scratch: Buffer,
  ) {
    this.key = identityKey(identity);
    this.relPath = relPath;
    this.size = stats.size;
    this.mtimeMs = stats.mtimeMs;
    // A file found already quiet counts as idle since its last write, not since we found it.
    this.changedAt = stats.mtimeMs;
    this.framer = new RecordFramer(csv, maxLineBytes);
  }

  /** Opens the file at `absPath`; null if what is there now is not the file `expected` names. */
  static async open(
    absPath: string,
    relPath: string,
    expected: FileIdentity,
    options: { csv: boolean; maxLineBytes: number; scratch: Buffer },
  ): Promise<TailedFile | null> {
    // O_NONBLOCK: should a FIFO have taken the file's place since the stat, opening must not hang.
    const handle = await open(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stats = await handle.stat({ bigint: true });
      if (
        !stats.isFile() ||
        !sameIdentity({ device: stats.dev.toString(), inode: stats.ino.toString() }, expected)
      ) {
        await handle.close();
        return null;
      }
      return new TailedFile(
        expected,
        relPath,
        handle,
        { size: Number(stats.size), mtimeMs: Number(stats.mtimeMs) },
        options.csv,
        options.maxLineBytes,
        options.scratch,
      );
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Continues after a committed offset, unless the file is now shorter or is another file. */
  async resume(offset: FileOffset): Promise<ResumeResult> {
    if (offset.position > this.size) return 'truncated';
    if (offset.fingerprintBytes > FINGERPRINT_BYTES) return 'replaced';
    // an offset moved back by hand keeps the fingerprint it had, over more bytes than its position
    const headBytes = Math.min(FINGERPRINT_BYTES, offset.position);
    const head = await this.readAt(0, Math.max(headBytes, offset.fingerprintBytes));
    if (head.length < Math.max(headBytes, offset.fingerprintBytes)) return 'truncated';
    if (fingerprintOf(head.subarray(0, offset.fingerprintBytes)) !== offset.fingerprint) return 'replaced';
    // the head is the file's first bytes up to the position (readChunk extends it from there)
    this.head = head.subarray(0, headBytes);
    this.position = this.readPos = offset.position;
    this.line = offset.line;
    this.emittedPosition = this.ackedPosition = this.returnedPosition = offset.position;
    return 'resumed';
  }

  /** The fingerprint for an offset at `position` (covering min(FINGERPRINT_BYTES, position) bytes). */
  fingerprintAt(position: number): { fingerprint: string; fingerprintBytes: number } {
    const bytes = Math.min(FINGERPRINT_BYTES, position, this.head.length);
    if (bytes === FINGERPRINT_BYTES) {
      this.frozenFingerprint ??= fingerprintOf(this.head);
      return { fingerprint: this.frozenFingerprint, fingerprintBytes: bytes };
    }
    return { fingerprint: fingerprintOf(this.head.subarray(0, bytes)), fingerprintBytes: bytes };
  }

  /** The next complete record, or null when everything written so far is consumed. */
  async next(): Promise<TailItem | null> {
    for (;;) {
      const frame = this.framer.next();
      if (frame) return this.consume(frame, false);
      if ((await this.readChunk()) > 0) continue;
      if (!this.flushRemainder) return null;
      this.flushRemainder = false;
      const rest = this.framer.takeRemainder();
      return rest ? this.consume(rest.frame, rest.unterminatedQuote) : null;
    }
  }

  /** Bytes read but not yet part of a complete record (a line still waiting for its newline). */
  get pendingBytes(): number {
    return this.readPos - this.position;
  }

  /** Everything the file held at the last restat has been read. */
  get readToEnd(): boolean {
    return this.readPos >= this.size && this.framer.drained;
  }

  /**
   * Compares the file with what we saw last: `rewritten` when it shrank below what we read or
   * its first bytes differ (truncated and written again), so reading must restart at 0.
   */
  async restat(now: number): Promise<RestatResult> {
    const stats = await this.handle.stat();
    if (stats.size === this.size && stats.mtimeMs === this.mtimeMs) return 'same';
    this.size = stats.size;
    this.mtimeMs = stats.mtimeMs;
    this.changedAt = now;
    if (stats.size < this.readPos) return 'rewritten';
    if (this.head.length > 0) {
      const head = await this.readAt(0, this.head.length);
      if (!head.equals(this.head)) return 'rewritten';
    }
    return 'changed';
  }

  /** Starts over at byte 0 (after truncation or a rewrite). */
  reset(): void {
    this.position = this.readPos = this.line = 0;
    this.emittedPosition = this.ackedPosition = this.returnedPosition = 0;
    this.head = EMPTY;
    this.frozenFingerprint = null;
    this.csvHeader = null;
    this.flushRemainder = false;
    this.framer.reset();
    this.generation++;
  }

  /** The file's first record (a csv header when resuming past it), or null if not complete yet. */
  async readFirstRecord(): Promise<Frame | null> {
    const framer = new RecordFramer(this.csv, this.maxLineBytes);
    let at = 0;
    let first = true;
    for (;;) {
      const frame = framer.next();
      if (frame) {
        // as the decoder reads it: the byte order mark dropped, then blank rows skipped
        const atStart = first;
        first = false;
        if (frame.kind === 'record' && isBlank(atStart ? withoutBom(frame.bytes) : frame.bytes)) continue;
        return frame;
      }
      const chunk = await this.readAt(at, this.scratch.length);
      if (chunk.length === 0) return null;
      at += chunk.length;
      framer.feed(chunk);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private consume(frame: Frame, unterminatedQuote: boolean): TailItem {
    const start = this.position;
    const firstLine = this.line + 1;
    this.position += frame.size;
    this.line += frame.lines;
    if (frame.kind === 'oversize') {
      return { kind: 'oversize', start, end: this.position, firstLine, size: frame.size };
    }
    return {
      kind: 'record',
      bytes: frame.bytes,
      start,
      end: this.position,
      firstLine,
      lastLine: this.line,
      unterminatedQuote,
    };
  }

  private async readChunk(): Promise<number> {
    const chunk = await this.readAt(this.readPos, this.scratch.length);
    if (chunk.length === 0) return 0;
    if (this.readPos < FINGERPRINT_BYTES) {
      const take = chunk.subarray(0, FINGERPRINT_BYTES - this.readPos);
      this.head = Buffer.concat([this.head, take]);
    }
    this.readPos += chunk.length;
    if (this.readPos > this.size) this.size = this.readPos;
    this.framer.feed(chunk);
    return chunk.length;
  }

  /** Up to `length` bytes at `position`, copied out of the scratch buffer. */
  private async readAt(position: number, length: number): Promise<Buffer> {
    let filled = 0;
    const want = Math.min(length, this.scratch.length);
    while (filled < want) {
      const { bytesRead } = await this.handle.read(this.scratch, filled, want - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return Buffer.from(this.scratch.subarray(0, filled));
  }
}

/** A UTF-8 byte order mark, dropped at the start of a file. */
export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function withoutBom(bytes: Buffer): Buffer {
  return bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
}

export function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}
