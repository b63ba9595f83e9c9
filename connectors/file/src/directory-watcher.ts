import { watch, type FSWatcher } from 'chokidar';
import { isAbsolute, relative, sep } from 'node:path';
import type { ConnectLogger } from '@sluice/connect-api';
import type { GlobMatcher } from './glob-matcher.js';
import { isInside } from './path-confinement.js';

/**
 * Watches a directory for files matching a glob and remembers which paths changed. Events are
 * only hints: the task re-checks every path it is told about (a rename may arrive as `change`,
 * `unlink` + `add`, or not at all for the old name), so a lost or reordered event costs latency,
 * never correctness, as long as the path is named once more later.
 */
export class DirectoryWatcher {
  private watcher: FSWatcher | null = null;
  private dirty = new Set<string>();
  private readonly present = new Set<string>();
  private wake: (() => void) | null = null;

  constructor(
    private readonly root: string,
    private readonly glob: GlobMatcher,
    /** Directories below root never to look into (the finished folder). */
    private readonly excluded: readonly string[],
    private readonly logger: ConnectLogger,
  ) {}

  /** Resolves once the initial scan is done; every file found by then is reported as changed. */
  async start(): Promise<void> {
    const watcher = watch(this.root, {
      ignoreInitial: false,
      followSymlinks: false,
      awaitWriteFinish: false,
      depth: this.glob.maxDepth,
      ignored: (path, stats) => this.ignored(path, stats),
    });
    this.watcher = watcher;
    watcher.on('all', (event, path) => {
      if (event !== 'add' && event !== 'change' && event !== 'unlink') return;
      const rel = this.relativeOf(path);
      if (rel === null || !this.glob.matches(rel)) return;
      if (event === 'unlink') this.present.delete(rel);
      else this.present.add(rel);
      this.dirty.add(rel);
      this.notify();
    });
    watcher.on('error', (err) => {
      this.logger.warn(
        { err, path: this.root },
        'file watcher error; files are still re-checked on every poll',
      );
    });
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  /** Paths (relative to root, `/`-separated) reported since the last call. */
  takeDirty(): string[] {
    const paths = [...this.dirty];
    this.dirty = new Set();
    return paths;
  }

  /** Matching files that exist, as far as the watcher knows (for "is this the newest file"). */
  presentPaths(): ReadonlySet<string> {
    return this.present;
  }

  /** Resolves on the next event, after `ms`, or when `signal` aborts, whichever is first. */
  waitForChange(ms: number, signal: AbortSignal): Promise<void> {
    if (this.dirty.size > 0 || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  async close(): Promise<void> {
    this.wake?.();
    await this.watcher?.close();
    this.watcher = null;
  }

  private notify(): void {
    this.wake?.();
  }

  private relativeOf(path: string): string | null {
    const rel = isAbsolute(path) ? relative(this.root, path) : path;
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  private ignored(path: string, stats?: { isFile(): boolean; isDirectory(): boolean }): boolean {
    const rel = this.relativeOf(path);
    if (rel === null) return false;
    const absolute = isAbsolute(path) ? path : `${this.root}${sep}${path}`;
    if (this.excluded.some((dir) => isInside(absolute, dir))) return true;
    // Without stats chokidar asks again with them; only files are filtered by the glob.
    if (stats?.isFile()) return !this.glob.matches(rel);
    return false;
  }
}
