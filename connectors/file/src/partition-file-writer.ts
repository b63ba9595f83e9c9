import { constants } from 'node:fs';
import { lstat, open, rename, type FileHandle } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ConnectError, type ConnectLogger, type SinkRecord, type TopicPartition } from '@sluice/connect-api';
import { CREATE_FLAGS, fsyncDirectory } from './atomic-file.js';
import type { SinkFormat } from './file-sink.config.js';
import {
  csvColumnsOf,
  encodeCsvHeader,
  encodeCsvLine,
  encodeJsonLine,
  encodeTextLine,
  type EncodedLine,
} from './line-encoder.js';
import {
  activeFileName,
  claimFileName,
  rolledFileName,
  stateFileName,
  unconfirmedFileName,
} from './output-file-names.js';
import {
  checkSinkClaim,
  claimPartition,
  ownedByOther,
  releaseSinkClaim,
  type SinkClaim,
} from './sink-claim.js';
import { readSinkState, writeSinkState, type SinkState } from './sink-state.js';
import { writevAll } from './write-all.js';

export interface PartitionFileOptions {
  readonly dir: string;
  readonly format: SinkFormat;
  readonly logger: ConnectLogger;
  /** The connector writing: while it does, another is refused the files (see sink-claim.ts). */
  readonly connector: string;
  /** The topic's ID now (see SinkState.topicId), null when the runtime cannot tell. */
  readonly topicId: string | null;
}

/**
 * The files of one topic-partition: appends lines to the active file, commits (fsync, then the
 * state file) and rolls. Crash safety rests on one order, kept by commit() and roll():
 *
 *   data written → data fsynced → state (offset, position) written atomically
 *   → rolling: active file renamed to its rolled name → directory fsynced → state (position 0)
 *
 * so on open() the state file always describes a prefix of what is on disk, and recovery is:
 * cut the active file back to the committed position; if the active file is missing but the
 * rolled file named by the state's startOffset exists, the roll was done and only its state
 * update was lost.
 *
 * A writer holds the partition's claim (see sink-claim.ts) from open() until release(), and
 * checks that it still does before each state write.
 */
export class PartitionFileWriter {
  private handle: FileHandle | null = null;
  private pending: EncodedLine[] = [];
  /** Bytes of the active file, written or pending. */
  private length: number;
  private unsynced = false;
  /** The active file was created since the last commit: its directory entry needs an fsync. */
  private created = false;
  private columns: readonly string[] | null;
  private startOffset: number | null;
  private createdAt: number | null;
  private persisted: SinkState;
  /**
   * A write, fsync or roll failed: what is on disk is unknown, so nothing more is committed. The
   * task fails; its restart recovers from the last commit.
   */
  private failure: Error | null = null;
  /** The next offset to write; a record below it is already in the files (redelivered). */
  nextOffset: number | null;
  /** A record came since open (see admit). */
  private admitted = false;

  private constructor(
    readonly tp: TopicPartition,
    private readonly options: PartitionFileOptions,
    private readonly claim: SinkClaim,
    state: SinkState,
  ) {
    this.persisted = state;
    this.length = state.position;
    this.nextOffset = state.offset;
    const hasData = this.length > 0;
    this.columns = hasData ? state.columns : null;
    this.startOffset = hasData ? state.startOffset : null;
    this.createdAt = hasData ? state.createdAt : null;
  }

  /**
   * Claims the partition's files and opens them, first undoing whatever was written after the
   * last commit.
   */
  static async open(tp: TopicPartition, options: PartitionFileOptions): Promise<PartitionFileWriter> {
    const claimPath = join(options.dir, claimFileName(tp, options.format));
    const { claim, replaced } = await claimPartition(claimPath, options.connector);
    if (replaced)
      options.logger.info(
        { file: claimPath },
        'taking the files over from an earlier task of this connector (it died or is being replaced)',
      );
    try {
      return new PartitionFileWriter(tp, options, claim, await recover(tp, options));
    } catch (err) {
      // nothing was written: whoever opens the partition next recovers from the last commit as this did
      await releaseSinkClaim(claimPath, claim).catch(() => undefined);
      throw err;
    }
  }

  /** The offset consumption should resume at, or null if nothing was ever committed. */
  get committedOffset(): number | null {
    return this.persisted.offset;
  }

  /** Bytes in the active file, including what is not yet written out. */
  get size(): number {
    return this.length;
  }

  holds(topic: string, partition: number): boolean {
    return this.tp.partition === partition && this.tp.topic === topic;
  }

  /**
   * Whether a record is still to be written, noting that it came. One below nextOffset was
   * redelivered (a put retried) and is in the files already; but the first record after open()
   * cannot be a redelivery: one below the committed offset there means the partition restarted
   * below it (the topic deleted and created again, or emptied) and consumption went back to its
   * start, so its records are new and are written.
   */
  admit(offset: number): boolean {
    const first = !this.admitted;
    this.admitted = true;
    if (this.nextOffset === null || offset >= this.nextOffset) return true;
    if (!first) return false;
    this.options.logger.warn(
      { topic: this.tp.topic, partition: this.tp.partition, offset, committedOffset: this.nextOffset },
      `${this.tp.topic}-${this.tp.partition} resumed at offset ${offset}, below the offset ${this.nextOffset} committed to ${this.activePath}: the topic was created again or emptied, or the offset was set past its end; writing its records from there`,
    );
    this.nextOffset = offset;
    return true;
  }

  /** A record that produces no line (a tombstone, an errant record) still counts as handled. */
  skip(offset: number): void {
    this.nextOffset = offset + 1;
  }

  /** Queues the record's line; throws a DataError (changing nothing) if the format cannot take it. */
  append(record: SinkRecord, now: number): void {
    const lines: EncodedLine[] = [];
    let columns = this.columns;
    switch (this.options.format) {
      case 'jsonl':
        lines.push(encodeJsonLine(record.value, jsonOf(record)));
        break;
      case 'text':
        lines.push(encodeTextLine(record.value, jsonOf(record)));
        break;
      case 'csv':
        if (this.length === 0 || columns === null) {
          columns = csvColumnsOf(record.value, record.valueSchema);
          lines.push(encodeCsvHeader(columns));
        }
        lines.push(encodeCsvLine(record.value, columns));
        break;
    }
    if (this.length === 0) {
      this.startOffset = record.kafkaOffset;
      this.createdAt = now;
    }
    this.columns = columns;
    for (const line of lines) {
      this.pending.push(line);
      this.length += typeof line === 'string' ? Buffer.byteLength(line) : line.length;
    }
    this.nextOffset = record.kafkaOffset + 1;
  }

  /** Writes queued lines to the file (not yet durable). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    if (!this.handle) {
      const created = (await fileSize(this.activePath)) === null;
      this.handle = await open(this.activePath, CREATE_FLAGS | constants.O_APPEND, 0o644);
      this.created ||= created;
    }
    const pending = this.pending;
    this.pending = [];
    this.unsynced = true;
    await this.guard(writevAll(this.handle, asBuffers(pending)));
  }

  /** Makes everything appended durable and records `offset` as where to resume. */
  async commit(offset: number): Promise<void> {
    if (this.failure) {
      throw new ConnectError(
        `an earlier write to ${this.activePath} failed; restart the task to recover from the last commit`,
        { cause: this.failure },
      );
    }
    await this.flush();
    if (this.unsynced) {
      await this.guard(this.handle!.datasync());
      this.unsynced = false;
    }
    if (this.created) {
      await this.guard(fsyncDirectory(this.options.dir));
      this.created = false;
    }
    const state: SinkState = {
      version: 1,
      offset,
      position: this.length,
      startOffset: this.length > 0 ? (this.startOffset ?? offset) : offset,
      createdAt: this.length > 0 ? this.createdAt : null,
      columns: this.length > 0 ? this.columns : null,
      topicId: this.options.topicId ?? this.persisted.topicId ?? null,
    };
    this.nextOffset = Math.max(this.nextOffset ?? offset, offset);
    if (sameState(this.persisted, state)) return;
    // only a commit that writes needs the claim: an idle partition's reads no file
    await this.checkClaim();
    await this.guard(writeSinkState(this.statePath, state));
    this.persisted = state;
  }

  rollDue(now: number, maxBytes: number, maxAgeMs: number): boolean {
    if (this.length === 0) return false;
    if (maxBytes > 0 && this.length >= maxBytes) return true;
    return maxAgeMs > 0 && this.createdAt !== null && now - this.createdAt >= maxAgeMs;
  }

  /** Closes the active file under its rolled name and starts a new one. Call right after commit(). */
  async roll(): Promise<string | null> {
    const committed = this.persisted;
    if (this.failure || this.length === 0 || committed.position !== this.length) return null;
    await this.checkClaim();
    return this.guard(this.rollCommitted(committed));
  }

  private async rollCommitted(committed: SinkState): Promise<string> {
    await this.closeHandle();
    const { dir, format, logger } = this.options;
    const name = rolledFileName(this.tp, format, committed.startOffset);
    let target = join(dir, name);
    for (let n = 1; (await fileSize(target)) !== null; n++) {
      // Only after offsets were reset by hand can a start offset repeat; never overwrite.
      const ext = extname(name);
      target = join(dir, `${name.slice(0, name.length - ext.length)}.${n}${ext}`);
    }
    await rename(this.activePath, target);
    await fsyncDirectory(dir);
    const state = emptyState(committed.offset, committed.topicId ?? null);
    await writeSinkState(this.statePath, state);
    this.persisted = state;
    this.length = 0;
    this.columns = null;
    this.startOffset = null;
    this.createdAt = null;
    logger.info({ file: target, bytes: committed.position }, 'rolled output file');
    return target;
  }

  /**
   * Commits what was written and gives the files up: whoever opens the partition next, a task of
   * this connector or of another, goes on right after these lines. A writer that failed commits
   * nothing more and hands over its last commit; if the commit here fails, the claim stays, as
   * after a crash.
   */
  async release(): Promise<void> {
    try {
      if (this.nextOffset !== null && !this.failure) await this.commit(this.nextOffset);
    } finally {
      this.pending = [];
      await this.closeHandle();
    }
    await releaseSinkClaim(this.claimPath, this.claim);
  }

  private checkClaim(): Promise<void> {
    return checkSinkClaim(this.claimPath, this.claim, `the files of ${this.tp.topic}-${this.tp.partition}`);
  }

  private async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      this.failure ??= err as Error;
      throw err;
    }
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  private get activePath(): string {
    return join(this.options.dir, activeFileName(this.tp, this.options.format));
  }

  private get statePath(): string {
    return join(this.options.dir, stateFileName(this.tp, this.options.format));
  }

  private get claimPath(): string {
    return join(this.options.dir, claimFileName(this.tp, this.options.format));
  }
}

/**
 * The committed state of a claimed partition, with its active file cut back to it (see
 * PartitionFileWriter). A legacy claim in the state (SinkState.connector) of another connector is
 * refused.
 */
async function recover(tp: TopicPartition, options: PartitionFileOptions): Promise<SinkState> {
  const { dir, format, logger, connector } = options;
  const activePath = join(dir, activeFileName(tp, format));
  const statePath = join(dir, stateFileName(tp, format));
  let state = await readSinkState(statePath);
  if (state?.connector && state.connector !== connector)
    throw new ConnectError(ownedByOther(statePath, state.connector, connector, true));
  const active = await fileSize(activePath);
  if (!state) {
    if (active !== null && active > 0) {
      // Either written before a crash ahead of the first commit (it will come again), or its
      // state file was removed by hand: it is moved aside, never emptied, so nothing is lost.
      const aside = join(dir, unconfirmedFileName(tp, format, new Date()));
      await rename(activePath, aside);
      await fsyncDirectory(dir);
      logger.warn(
        { file: activePath, movedTo: aside, bytes: active },
        'output file has no state file, so what it holds was never committed here: moved aside; consumption goes on from the committed offset',
      );
    }
    const created = emptyState(null, options.topicId);
    await writeSinkState(statePath, created);
    return created;
  }
  state = await ownState(tp, statePath, state, options);
  if (active === null) {
    if (state.position > 0) {
      const rolled = join(dir, rolledFileName(tp, format, state.startOffset));
      if ((await fileSize(rolled)) !== null) {
        logger.info({ file: rolled }, 'completing a roll that a crash interrupted');
      } else {
        logger.warn(
          { file: activePath, committedBytes: state.position },
          'output file with committed data is missing (removed by hand?); starting a new one',
        );
      }
      state = emptyState(state.offset, state.topicId ?? null);
      await writeSinkState(statePath, state);
    }
  } else if (active > state.position) {
    logger.info(
      { file: activePath, droppedBytes: active - state.position, offset: state.offset },
      'dropping output written after the last commit; those records will be written again',
    );
    await truncateFile(activePath, state.position);
  } else if (active < state.position) {
    logger.warn(
      { file: activePath, size: active, committedBytes: state.position },
      'output file is shorter than committed (truncated by hand?); appending after what is left',
    );
    state = active === 0 ? emptyState(state.offset, state.topicId ?? null) : { ...state, position: active };
  }
  return state;
}

/**
 * An existing state, made this writer's: without a legacy claim (SinkState.connector; the claim
 * file holds it now, and another connector's was refused before this), and without its offset
 * when that counted records of a topic since deleted and created again (consumption then starts
 * where the group's offsets say, forgotten with the old topic: at the start of the new one).
 */
async function ownState(
  tp: TopicPartition,
  statePath: string,
  state: SinkState,
  options: PartitionFileOptions,
): Promise<SinkState> {
  const { topicId, logger } = options;
  let owned = state;
  if (topicId !== null && state.topicId && state.topicId !== topicId) {
    logger.warn(
      { topic: tp.topic, partition: tp.partition, committedOffset: state.offset, file: statePath },
      `topic ${tp.topic} was deleted and created again since ${statePath} was written: its offset ${state.offset} was for the old topic; the new one is read from where the connector's group offsets say (its start), after the lines already there`,
    );
    owned = { ...owned, offset: null };
  }
  const { connector: legacyClaim, ...unclaimed } = owned;
  if (legacyClaim === undefined && (topicId === null || owned.topicId === topicId)) return owned;
  owned = { ...unclaimed, topicId: topicId ?? owned.topicId ?? null };
  await writeSinkState(statePath, owned);
  return owned;
}

function emptyState(offset: number | null, topicId: string | null): SinkState {
  return {
    version: 1,
    offset,
    position: 0,
    startOffset: offset ?? 0,
    createdAt: null,
    columns: null,
    topicId,
  };
}

function sameState(a: SinkState, b: SinkState): boolean {
  return (
    a.offset === b.offset &&
    a.position === b.position &&
    a.startOffset === b.startOffset &&
    a.createdAt === b.createdAt &&
    a.topicId === b.topicId &&
    JSON.stringify(a.columns) === JSON.stringify(b.columns)
  );
}

/** Size of a regular file, null if there is none; a symlink in its place is refused. */
async function fileSize(path: string): Promise<number | null> {
  try {
    const stats = await lstat(path);
    if (!stats.isFile())
      throw new ConnectError(`${path} is not a regular file; refusing to write through it`);
    return stats.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function truncateFile(path: string, length: number): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    await handle.truncate(length);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The lines as buffers to write: each run of text lines joined into one. */
function asBuffers(lines: readonly EncodedLine[]): Buffer[] {
  const out: Buffer[] = [];
  let text: string[] = [];
  for (const line of lines) {
    if (typeof line === 'string') {
      text.push(line);
      continue;
    }
    if (text.length > 0) out.push(Buffer.from(text.join('')));
    text = [];
    out.push(line);
  }
  if (text.length > 0) out.push(Buffer.from(text.join('')));
  return out;
}

/** The record's value as JSON text, where it has that (schemaless values read by the JSON converter). */
function jsonOf(record: SinkRecord): string | undefined {
  return record.valueSchema === null ? record.valueJson : undefined;
}
