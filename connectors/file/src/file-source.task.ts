import { mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConnectError,
  DataError,
  parseConfig,
  Schemas,
  type ConnectHeader,
  type ConnectLogger,
  type RecordMetadata,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@sluice/connect-api';
import { checkPaths } from './confined-paths.js';
import { DirectoryWatcher } from './directory-watcher.js';
import { identityKey, identityOf, ownerTaskOf, sameIdentity, sourcePartitionOf } from './file-identity.js';
import { FileSourceTaskConfig } from './file-source.config.js';
import { compileGlob } from './glob-matcher.js';
import { dataError, LineDecoder } from './line-decoder.js';
import { moveWithoutOverwrite } from './move-file.js';
import { FILE_ROOTS_KEY, isInside, parseRoots, realPathOf } from './path-confinement.js';
import { GONE, rejectedFile, stillRejected, type RejectedFile } from './rejected-file.js';
import { parseFileOffset, TailedFile, type TailItem } from './tailed-file.js';
import { VERSION } from './version.js';

const NO_HEADERS: ConnectHeader[] = Object.freeze([]) as unknown as ConnectHeader[];

/** Bytes per read. */
const CHUNK_BYTES = 64 * 1024;
/** How long "which file is newest" (for finished.path) is reused before statting the folder again. */
const NEWEST_CACHE_MS = 1000;
/** A failed move to finished.path is tried again after this, then after twice as long, up to the max. */
const MOVE_RETRY_FIRST_MS = 1000;
const MOVE_RETRY_MAX_MS = 60_000;

/** The file, and its generation, that a source partition object stands for (see partitionOf). */
interface PartitionOwner {
  readonly file: TailedFile;
  readonly generation: number;
}

/**
 * Tails the files of one directory that match a glob, one record per line.
 *
 * Each poll: look at the paths the watcher named (new files, renames, deletions), fstat every
 * open file (truncation, rewrites, idleness), retire what is done (move finished files, close
 * drained renamed-away ones), then read up to batch.size records, oldest-modified file first so a
 * rotated file is read to its end before its successor. With nothing to read it waits for a
 * watch event, at most poll.interval.ms.
 *
 * Files are identified by device and inode (see file-identity.ts) and read through an open
 * descriptor, so a file renamed away or deleted while we read it is still read to its end. With
 * several tasks, each reads the files whose identity hashes to its index.
 */
export class FileSourceTask implements SourceTask {
  private config!: FileSourceTaskConfig;
  private context!: SourceTaskContext;
  private logger!: ConnectLogger;
  private root!: string;
  private roots: string[] = [];
  private finishedRoot: string | null = null;
  private watcher: DirectoryWatcher | null = null;
  private decoder!: LineDecoder;
  private readonly files = new Map<string, TailedFile>();
  /** Relative path → identity key, for the files currently at a watched path. */
  private readonly byPath = new Map<string, string>();
  /** Paths to look at again on the next refresh (a check that could not finish). */
  private retry = new Set<string>();
  /** Identities of files we will not read (outside the roots, unusable csv header). */
  /**
   * Files not read (outside the roots, unreadable, an unusable header), by identity, with what
   * they were then: one whose inode a new file reuses, given new permissions, or rewritten
   * (shorter than it was) is looked at again; appends alone do not mend it.
   */
  private readonly rejected = new Map<string, RejectedFile>();
  /**
   * Keyed by the source partition objects records carry: one per file generation, so a record
   * acknowledged after its file was truncated or rewritten is told apart (and a per-record map,
   * a cost to every garbage collection, is not needed).
   */
  private readonly owners = new WeakMap<object, PartitionOwner>();
  /** A data error met after records were collected: thrown by the next poll, after they are out. */
  private pendingError: Error | null = null;
  private readonly scratch = Buffer.allocUnsafe(CHUNK_BYTES);
  private readonly partitions = new WeakMap<
    TailedFile,
    { partition: Readonly<Record<string, string>>; generation: number }
  >();
  private newest: { at: number; path: string | null } | null = null;
  /** Per file (key), a move to finished.path that failed: when to try again, and what it said. */
  private readonly moveFailures = new Map<string, { message: string; retryAt: number; delayMs: number }>();
  private stopping = false;

  version(): string {
    return VERSION;
  }

  async start(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    this.context = context;
    this.logger = context.logger;
    const parsed = parseConfig(FileSourceTaskConfig, raw);
    if (!parsed.ok) {
      throw new ConnectError(
        `invalid file source config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
      );
    }
    const config = parsed.config;
    if (config['task.index'] >= config['task.count']) {
      throw new ConnectError(
        `task.index ${config['task.index']} is not below task.count ${config['task.count']}`,
      );
    }
    this.config = config;
    const settings = [{ field: 'path', value: config.path }];
    if (config['finished.path'] !== '') {
      settings.push({ field: 'finished.path', value: config['finished.path'] });
    }
    const checked = await checkPaths(raw, settings);
    if (checked.errors.length > 0) {
      throw new ConnectError(checked.errors.flatMap((e) => e.messages).join('; '));
    }
    this.root = checked.realPaths.get('path')!;
    // Created rather than refused, so a connector can be set up before its first file arrives.
    if ((await mkdir(this.root, { recursive: true })) !== undefined) {
      this.logger.info({ path: this.root }, 'created the directory to watch');
    }
    this.finishedRoot = checked.realPaths.get('finished.path') ?? null;
    this.roots = await Promise.all(parseRoots(raw[FILE_ROOTS_KEY]).map((r) => realPathOf(r)));
    this.decoder = new LineDecoder(config.format, config['key.field']);
    const glob = compileGlob(config.glob);
    // A finished folder below the watched one must not be read again.
    const finishedBelow =
      this.finishedRoot !== null && this.finishedRoot !== this.root && isInside(this.finishedRoot, this.root);
    this.watcher = new DirectoryWatcher(
      this.root,
      glob,
      finishedBelow ? [this.finishedRoot!] : [],
      this.logger,
    );
    await this.watcher.start();
    this.logger.info(
      // the logger already names the task; this is its share of the files
      { path: this.root, glob: config.glob, share: `${config['task.index']}/${config['task.count']}` },
      'watching for files',
    );
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.pendingError) {
      const err = this.pendingError;
      this.pendingError = null;
      throw err;
    }
    const signal = this.context.signal;
    const deadline = Date.now() + this.config['poll.interval.ms'];
    while (!signal.aborted && !this.stopping && this.watcher) {
      await this.refresh();
      const records = await this.readBatch();
      if (records.length > 0) return records;
      const wait = deadline - Date.now();
      if (wait <= 0) break;
      await this.watcher.waitForChange(wait, signal);
    }
    return [];
  }

  commitRecord(record: SourceRecord, _metadata: RecordMetadata | null): void {
    const owner = this.owners.get(record.sourcePartition);
    if (!owner || owner.generation !== owner.file.generation) return;
    const position = record.sourceOffset['position'];
    if (typeof position === 'number' && position > owner.file.ackedPosition)
      owner.file.ackedPosition = position;
  }

  commit(): void {
    for (const file of this.files.values()) {
      if (file.returnedPosition > file.ackedPosition) file.ackedPosition = file.returnedPosition;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.watcher?.close();
    this.watcher = null;
    const files = [...this.files.values()];
    this.files.clear();
    this.byPath.clear();
    await Promise.all(files.map((f) => f.close()));
  }

  /** Picks up new, renamed and vanished files, notices truncation, and retires finished files. */
  private async refresh(): Promise<void> {
    const paths = new Set([...this.retry, ...this.watcher!.takeDirty()]);
    this.retry = new Set();
    for (const rel of paths) {
      try {
        await this.inspect(rel);
      } catch (err) {
        this.logger.warn({ err, file: rel }, 'cannot open file; will retry');
        this.retry.add(rel);
      }
    }
    const now = Date.now();
    for (const file of [...this.files.values()]) {
      let change;
      try {
        change = await file.restat(now);
      } catch (err) {
        this.logger.warn({ err, file: file.relPath }, 'cannot stat open file');
        continue;
      }
      if (change === 'changed') file.flushRemainder = false;
      if (change === 'rewritten') {
        this.logger.warn(
          { file: file.relPath, position: file.position, size: file.size },
          'file was truncated or rewritten; reading it again from the start',
        );
        file.reset();
      }
    }
    await this.retire(now);
  }

  /** Reconciles one path with what we track: the file there may be new, renamed here, or gone. */
  private async inspect(rel: string): Promise<void> {
    const abs = join(this.root, rel);
    let stats;
    try {
      stats = await stat(abs, { bigint: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.detachPath(rel);
        return;
      }
      throw err;
    }
    if (!stats.isFile()) {
      this.detachPath(rel);
      return;
    }
    const id = identityOf(stats);
    const key = identityKey(id);
    const known = this.files.get(key);
    if (known) {
      this.attach(known, rel);
      return;
    }
    this.detachPath(rel);
    if (await stillRejected(this.rejected.get(key), abs, stats)) return;
    this.rejected.delete(key);
    if (ownerTaskOf(id, this.config['task.count']) !== this.config['task.index']) return;
    // `path` is confined, but a symlink inside it could point anywhere.
    const real = await realpath(abs);
    // ... and could be swapped between these calls: the confined real path must name the file
    // stat saw, which open() checks the descriptor against
    const realStats = await stat(real, { bigint: true }).catch(() => null);
    if (realStats === null || !sameIdentity(identityOf(realStats), id)) {
      this.retry.add(rel);
      return;
    }
    if (!this.roots.some((root) => isInside(real, root))) {
      this.logger.warn(
        { file: rel, target: real },
        'file links outside the worker file roots; not reading it',
      );
      this.rejected.set(key, await rejectedFile(abs, stats, false));
      return;
    }
    let file: TailedFile | null;
    try {
      file = await TailedFile.open(abs, rel, id, {
        csv: this.config.format === 'csv',
        maxLineBytes: this.config['max.line.bytes'],
        scratch: this.scratch,
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM') throw err;
      // Retrying every poll would only repeat the warning; a change to the file (its permissions
      // fixed) or a restart picks it up again.
      this.logger.warn({ err, file: rel }, 'no permission to read file; skipping it');
      this.rejected.set(key, await rejectedFile(abs, stats, false));
      return;
    }
    if (!file) {
      // Replaced between stat and open: look at the path again next round.
      this.retry.add(rel);
      return;
    }
    let resumed: boolean;
    try {
      resumed = await this.resume(file);
    } catch (err) {
      // the path is retried: each try would leave a descriptor open
      await file.close();
      throw err;
    }
    if (!resumed) {
      await file.close();
      this.rejected.set(key, await rejectedFile(abs, stats, true));
      return;
    }
    this.files.set(key, file);
    this.byPath.set(rel, key);
    this.logger.info({ file: rel, position: file.position, line: file.line }, 'reading file');
  }

  /** Positions a newly found file after its committed offset; false if it cannot be read. */
  private async resume(file: TailedFile): Promise<boolean> {
    const stored = await this.context.offsetStorageReader.offset(sourcePartitionOf(file.identity));
    const offset = parseFileOffset(stored);
    if (stored && !offset) {
      this.logger.warn(
        { file: file.relPath, offset: stored },
        'committed offset is not a file offset; reading from the start',
      );
    }
    if (offset) {
      const result = await file.resume(offset);
      if (result === 'truncated') {
        this.logger.warn(
          { file: file.relPath, committed: offset.position, size: file.size },
          'file is shorter than its committed offset (truncated); reading from the start',
        );
      } else if (result === 'replaced') {
        this.logger.warn(
          { file: file.relPath },
          "file's first bytes do not match its committed offset's fingerprint (a new file that reuses the inode of one read before, or an offset edited by hand); reading from the start",
        );
      }
    }
    if (this.config.format === 'csv' && file.position > 0) {
      const first = await file.readFirstRecord();
      try {
        if (!first || first.kind === 'oversize')
          throw dataError(file, 1, 'cannot read the csv header row again');
        file.csvHeader = this.decoder.readHeader(file, first.bytes, 1);
      } catch (err) {
        this.logger.error({ err, file: file.relPath }, 'cannot resume csv file; not reading it');
        return false;
      }
      this.checkKeyColumn(file);
    }
    return true;
  }

  private attach(file: TailedFile, rel: string): void {
    const other = this.byPath.get(rel);
    if (other !== undefined && other !== file.key) this.detach(other);
    if (this.byPath.get(file.relPath) === file.key) this.byPath.delete(file.relPath);
    if (file.relPath !== rel) this.logger.info({ from: file.relPath, to: rel }, 'file renamed');
    file.relPath = rel;
    file.detached = false;
    this.byPath.set(rel, file.key);
  }

  private detachPath(rel: string): void {
    const key = this.byPath.get(rel);
    if (key !== undefined) this.detach(key);
  }

  private detach(key: string): void {
    const file = this.files.get(key);
    if (!file) return;
    if (this.byPath.get(file.relPath) === key) this.byPath.delete(file.relPath);
    if (file.detached) return;
    file.detached = true;
    // A writer may still append through its open descriptor: give it finished.idle.ms.
    file.changedAt = Date.now();
    this.logger.info({ file: file.relPath }, 'file renamed away or deleted; reading it to its end');
  }

  /** Closes drained renamed-away files and moves finished files to finished.path. */
  private async retire(now: number): Promise<void> {
    const idleMs = this.config['finished.idle.ms'];
    for (const file of [...this.files.values()]) {
      if (!file.readToEnd || now - file.changedAt < idleMs) continue;
      if (!file.detached) {
        if (this.finishedRoot === null) continue;
        if (!this.config['finished.include.newest'] && (await this.newestPath(now)) === file.relPath)
          continue;
      }
      if (file.pendingBytes > 0) {
        // Quiet for long enough: the last line will not get its newline. Take it as it is.
        file.flushRemainder = true;
        continue;
      }
      if (file.detached) {
        this.logger.info(
          { file: file.relPath, position: file.position },
          'finished reading renamed-away file',
        );
        await this.drop(file);
      } else if (file.ackedPosition >= file.emittedPosition) {
        // Only once every record of the file is durable: a move is not undone by a crash.
        await this.moveToFinished(file, now);
      }
    }
  }

  /** The file now at `rel` as rejectedFile() keeps it (nothing to match when it is gone). */
  private async rejectedAt(rel: string): Promise<RejectedFile> {
    const abs = join(this.root, rel);
    try {
      return await rejectedFile(abs, await stat(abs, { bigint: true }), true);
    } catch {
      return GONE;
    }
  }

  /**
   * A failed move is tried again after a delay that doubles up to MOVE_RETRY_MAX_MS, and said
   * once per distinct error: the scan that retries it runs every poll, and so did the warning.
   */
  private async moveToFinished(file: TailedFile, now: number): Promise<void> {
    const failed = this.moveFailures.get(file.key);
    if (failed && now < failed.retryAt) return;
    const abs = join(this.root, file.relPath);
    try {
      const stats = await stat(abs, { bigint: true });
      if (!sameIdentity(identityOf(stats), file.identity)) {
        this.retry.add(file.relPath);
        return;
      }
      const to = await moveWithoutOverwrite(abs, join(this.finishedRoot!, file.relPath), this.finishedRoot!);
      this.logger.info({ file: file.relPath, to, lines: file.line }, 'moved finished file');
    } catch (err) {
      const message = (err as Error).message;
      const delayMs = failed ? Math.min(failed.delayMs * 2, MOVE_RETRY_MAX_MS) : MOVE_RETRY_FIRST_MS;
      this.moveFailures.set(file.key, { message, retryAt: now + delayMs, delayMs });
      if (failed?.message !== message)
        this.logger.warn(
          { err, file: file.relPath },
          `cannot move finished file; retrying every ${MOVE_RETRY_MAX_MS / 1000} s at most, quietly while the error stays the same`,
        );
      return;
    }
    this.newest = null;
    // a line appended between the idle check and the move went with the file: the descriptor
    // still open reads it
    if ((await file.restat(now).catch(() => 'same')) === 'changed') {
      this.detach(file.key);
      return;
    }
    await this.drop(file);
  }

  private async drop(file: TailedFile): Promise<void> {
    this.moveFailures.delete(file.key);
    this.files.delete(file.key);
    if (this.byPath.get(file.relPath) === file.key) this.byPath.delete(file.relPath);
    await file.close();
  }

  /** The most recently modified matching file in the folder, whichever task reads it. */
  private async newestPath(now: number): Promise<string | null> {
    if (this.newest && now - this.newest.at < NEWEST_CACHE_MS) return this.newest.path;
    let best: { path: string; mtimeMs: number } | null = null;
    for (const rel of this.watcher!.presentPaths()) {
      try {
        const { mtimeMs } = await stat(join(this.root, rel));
        if (!best || mtimeMs > best.mtimeMs || (mtimeMs === best.mtimeMs && rel > best.path)) {
          best = { path: rel, mtimeMs };
        }
      } catch {
        // Gone since the watcher saw it: not a candidate.
      }
    }
    this.newest = { at: now, path: best?.path ?? null };
    return this.newest.path;
  }

  private async readBatch(): Promise<SourceRecord[]> {
    const batchSize = this.config['batch.size'];
    const signal = this.context.signal;
    const records: SourceRecord[] = [];
    for (const file of this.readingOrder()) {
      while (records.length < batchSize && !signal.aborted) {
        let item: TailItem | null;
        try {
          item = await file.next();
        } catch (err) {
          this.logger.warn({ err, file: file.relPath }, 'cannot read file; will retry');
          break;
        }
        if (!item) break;
        try {
          const record = this.toRecord(file, item);
          if (record) records.push(record);
        } catch (err) {
          if (!(err instanceof DataError)) throw err;
          if (this.config.format === 'csv' && file.csvHeader === null) {
            // Without a usable header no row of this file can be read.
            this.rejected.set(file.key, await this.rejectedAt(file.relPath));
            await this.drop(file);
          }
          if (records.length === 0) throw err;
          this.pendingError = err;
          return this.handOut(records);
        }
      }
      if (records.length >= batchSize || signal.aborted) break;
    }
    return this.handOut(records);
  }

  /** Renamed-away files first, then oldest-modified first: a rotated file before its successor. */
  private readingOrder(): TailedFile[] {
    return [...this.files.values()].sort(
      (a, b) =>
        Number(b.detached) - Number(a.detached) ||
        a.mtimeMs - b.mtimeMs ||
        (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0),
    );
  }

  private handOut(records: SourceRecord[]): SourceRecord[] {
    for (const file of this.files.values()) file.returnedPosition = file.emittedPosition;
    return records;
  }

  /** One partition object per file: the runtime recognises a reused object without re-encoding it. */
  private partitionOf(file: TailedFile): Readonly<Record<string, string>> {
    const cached = this.partitions.get(file);
    if (cached && cached.generation === file.generation) return cached.partition;
    // a new object per generation: commitRecord tells generations apart by it
    const partition = sourcePartitionOf(file.identity);
    this.partitions.set(file, { partition, generation: file.generation });
    this.owners.set(partition, { file, generation: file.generation });
    return partition;
  }

  private toRecord(file: TailedFile, item: TailItem): SourceRecord | null {
    if (item.kind === 'oversize') {
      throw dataError(
        file,
        item.firstLine,
        `the line is ${item.size} bytes, longer than max.line.bytes (${this.config['max.line.bytes']}); skipped`,
      );
    }
    const hadHeader = file.csvHeader !== null;
    const decoded = this.decoder.decode(file, item);
    if (!hadHeader && file.csvHeader !== null) this.checkKeyColumn(file);
    if (!decoded) return null;
    // explicit properties: spreading fingerprintAt()'s result took microseconds a record
    const { fingerprint, fingerprintBytes } = file.fingerprintAt(item.end);
    // records and their parts are never changed after this (the runtime keeps references to
    // them); not frozen, which cost a tenth of a microsecond per object
    const sourceOffset = {
      fingerprint,
      fingerprintBytes,
      position: item.end,
      line: item.lastLine,
      path: file.relPath,
    };
    file.emittedPosition = item.end;
    const headerName = this.config['file.name.header'];
    const headers: ConnectHeader[] =
      headerName === '' ? NO_HEADERS : [{ key: headerName, value: file.relPath, schema: Schemas.STRING }];
    return {
      topic: this.config.topic,
      kafkaPartition: null,
      key: decoded.key,
      keySchema: decoded.keySchema,
      value: decoded.value,
      valueSchema: decoded.valueSchema,
      valueJson: decoded.valueJson,
      // when the line was read: what InsertField's timestamp.field and time-based retention see
      timestamp: Date.now(),
      headers,
      sourcePartition: this.partitionOf(file),
      sourceOffset,
    };
  }

  private checkKeyColumn(file: TailedFile): void {
    const keyField = this.config['key.field'];
    if (keyField !== '' && file.csvHeader && file.csvHeader.keyIndex < 0) {
      this.logger.warn(
        { file: file.relPath, keyField },
        'key.field is not a column of this csv file; keys are null',
      );
    }
  }
}
