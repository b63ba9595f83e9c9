import fs from 'node:fs/promises';
import path from 'node:path';
import type { Dirent, Stats } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { parseConnectorFile, type ConnectorFile } from './connector-file.js';

/**
 * What the reconciler drives: the herder, through an adapter. The reconciler only ever deletes
 * connectors it created from a file itself (or that `list()` says came from a file of its folder);
 * connectors created over REST are never deleted by it.
 */
export interface ConnectorConfigTarget {
  /**
   * Creates or updates a connector with its templated config (`${...}` references unresolved).
   * May throw ConfigError (or an error carrying `errors: { field, messages }[]`) with field errors,
   * which are reported against the file's lines.
   */
  put(name: string, config: Record<string, string>, source: { file: string }): Promise<void>;
  /**
   * Deletes the connector `source.file` declared. One that is gone, or that no longer belongs to
   * that file (deleted, then created again over REST, while the file's removal waited for its
   * pass), is to be left alone without an error.
   */
  delete(name: string, source: { file: string }): Promise<void>;
  /**
   * Optional: throws what put() would throw for this config, without applying it. A file that
   * renames its connector is checked with it before the old connector is deleted.
   */
  validate?(name: string, config: Record<string, string>): Promise<void>;
  /**
   * Optional: connectors created from files by an earlier run, as persisted with `source.file`.
   * When given, start() also deletes those whose file was removed (or renamed its connector) while
   * the worker was down, and skips re-putting those whose config is unchanged.
   */
  list?(): Promise<readonly { name: string; file: string; config?: Record<string, string> }[]>;
}

export type ReconcileEvent =
  | { kind: 'created' | 'updated' | 'deleted' | 'restored'; name: string; file: string }
  | { kind: 'invalid'; file: string; error: ConfigError }
  | { kind: 'recovered'; file: string }
  /** After each pass; `files` are those whose events caused it (none for the initial pass). */
  | { kind: 'reconciled'; files: string[] };

/** Structurally a subset of pino's and connect-api's loggers. */
export interface ReconcilerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ConnectorReconcilerOptions {
  /** `connectors.dir` of worker.yaml; created when missing, so it can be watched. */
  dir: string;
  target: ConnectorConfigTarget;
  logger?: ReconcilerLogger;
  onEvent?: (event: ReconcileEvent) => void;
  /** Quiet time after the last change before a pass runs, so an editor's several writes make one update. */
  debounceMs?: number;
  /**
   * How long a file whose put was refused waits before it is put again (its file changing puts it
   * at once): a refusal may pass (a database that validation connects to was not up yet, a secret
   * file not written yet).
   */
  retryRefusedMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 100;
const DEFAULT_RETRY_REFUSED_MS = 30_000;
/** A file rewritten without pause still gets applied, at most this many debounce periods late. */
const MAX_DEBOUNCE_FACTOR = 10;

type FileState = { kind: 'parsed'; connector: ConnectorFile } | { kind: 'invalid'; error: ConfigError };

interface Applied {
  file: string;
  /** Undefined for a connector known only from target.list() without its config. */
  config: Record<string, string> | undefined;
}

interface Claim {
  file: string;
  name: string;
  /** declared: what the file says now; kept: what it last applied, left running because the file is unusable. */
  kind: 'declared' | 'kept';
  connector?: ConnectorFile;
}

/** The symlink a Kubernetes ConfigMap or Secret volume swaps to update every file at once. */
const CONFIGMAP_DATA_LINK = '..data';

/** How often a removed connectors folder is looked for. */
const FOLDER_POLL_MS = 1000;

const silentLogger: ReconcilerLogger = { info() {}, warn() {}, error() {} };

/**
 * Keeps the connectors of a folder of YAML files (one connector per file) in line with a target.
 *
 * Every pass re-reads the whole folder and recomputes the desired state from it, so the outcome
 * depends on the folder, not on the order or the shape of the watcher's events:
 * - a valid file claims its connector name; of two files claiming one name, the one that already
 *   runs it wins, else the first in path order, and the other is reported and ignored;
 * - an unusable file (YAML or validation error, duplicate name) keeps what it last applied running;
 * - connectors no file claims any more are deleted, then new and changed ones are put. A rename
 *   is checked first (target.validate) and, refused, changes nothing; else it deletes the old
 *   name first (it may hold resources the new one needs, e.g. a replication slot) and puts the
 *   old connector back if the target still refuses the new config.
 *
 * Passes run one at a time; a rejected put is retried when its file changes, and every
 * retryRefusedMs meanwhile (its error is logged again only when it changes).
 */
export class ConnectorReconciler {
  private readonly dir: string;
  private readonly target: ConnectorConfigTarget;
  private readonly logger: ReconcilerLogger;
  private readonly onEvent: ((event: ReconcileEvent) => void) | undefined;
  private readonly debounceMs: number;
  private readonly retryRefusedMs: number;
  private retryTimer: NodeJS.Timeout | undefined;

  /** The last reading of every connector file of the folder. */
  private files = new Map<string, FileState>();
  private readonly applied = new Map<string, Applied>();
  /** Puts the target refused, by file: retried when the file changes, or after retryRefusedMs. */
  private readonly rejected = new Map<
    string,
    { name: string; config: Record<string, string>; error: ConfigError }
  >();
  private errors = new Map<string, ConfigError>();

  private watcher: FSWatcher | undefined;
  private dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private firstDirtyAt: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Polls for the folder to come back once it is gone (see awaitFolder). */
  private folderTimer: NodeJS.Timeout | undefined;

  constructor(options: ConnectorReconcilerOptions) {
    this.dir = path.resolve(options.dir);
    this.target = options.target;
    this.logger = options.logger ?? silentLogger;
    this.onEvent = options.onEvent;
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.retryRefusedMs = options.retryRefusedMs ?? DEFAULT_RETRY_REFUSED_MS;
  }

  /**
   * Applies every file of the folder, then watches it. Resolves once the initial pass is done, so
   * the worker starts with all its connectors; invalid files do not fail it (see lastErrors()).
   */
  async start(): Promise<void> {
    if (this.watcher || this.stopped) throw new Error('ConnectorReconciler can be started once');
    await fs.mkdir(this.dir, { recursive: true });
    // Watch before scanning: a change during the scan is then seen by both, never by neither.
    const watcher = await this.watchFolder();
    try {
      await this.initialPass();
    } catch (err) {
      this.stopped = true;
      await watcher.close();
      throw err;
    }
  }

  private async watchFolder(): Promise<FSWatcher> {
    const watcher = watch(this.dir, {
      ignoreInitial: true,
      depth: 0,
      ignored: (p: string, stats?: Stats) =>
        path.resolve(p) !== this.dir &&
        (path.basename(p).startsWith('.') || (!!stats?.isFile() && !isConnectorFile(p))),
    });
    this.watcher = watcher;
    const onChange = (p: string): void => {
      if (isConnectorFile(p)) this.schedule(path.resolve(this.dir, p));
    };
    watcher.on('add', onChange).on('change', onChange).on('unlink', onChange);
    // A Kubernetes ConfigMap volume updates its files at once by swapping the `..data` symlink
    // their links go through; the files' own links do not change, so only the raw event shows it.
    watcher.on('raw', (_event: string, name: string) => {
      if (path.basename(name) !== CONFIGMAP_DATA_LINK) return;
      // every file may have changed, so each gets its refused put retried (and a pass runs even
      // when none is known yet)
      if (this.files.size === 0) this.schedule(this.dir);
      for (const file of this.files.keys()) this.schedule(file);
    });
    watcher.on('error', (err) =>
      this.logger.error({ err, dir: this.dir }, 'watching the connectors folder failed'),
    );
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
    return watcher;
  }

  /**
   * The folder was removed (or replaced: `rm -rf` then a copy). Its connectors stay as they are,
   * not deleted as if every file were, and once a folder is there again it is watched afresh (a
   * watcher stays on the directory it started on) and reconciled whole.
   */
  private awaitFolder(): void {
    if (this.folderTimer || this.stopped) return;
    this.logger.warn(
      { dir: this.dir },
      'the connectors folder is gone: its connectors keep running unchanged until it is back',
    );
    this.folderTimer = setInterval(() => {
      void fs.stat(this.dir).then(
        async (stats) => {
          if (!stats.isDirectory() || this.stopped || !this.folderTimer) return;
          clearInterval(this.folderTimer);
          this.folderTimer = undefined;
          await this.watcher?.close();
          if (this.stopped) return;
          await this.watchFolder();
          this.logger.info({ dir: this.dir }, 'the connectors folder is back');
          void this.enqueue(new Set());
        },
        () => undefined,
      );
    }, FOLDER_POLL_MS);
    this.folderTimer.unref();
  }

  private async initialPass(): Promise<void> {
    if (this.target.list) {
      for (const known of await this.target.list()) {
        const file = path.resolve(known.file);
        // Connectors from another folder (connectors.dir changed) are not this reconciler's to delete.
        if (path.dirname(file) === this.dir) this.applied.set(known.name, { file, config: known.config });
      }
    }
    await this.enqueue(new Set());
  }

  /** Stops watching; waits for a pass in progress, and drops changes not yet applied. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.folderTimer) clearInterval(this.folderTimer);
    this.folderTimer = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    await this.watcher?.close();
    await this.queue;
  }

  /** The current problem of each file that has one (YAML, validation, duplicate name, refused by the target). */
  lastErrors(): ReadonlyMap<string, ConfigError> {
    return new Map(this.errors);
  }

  /** Connector name → file, for the connectors this reconciler runs. */
  connectors(): ReadonlyMap<string, string> {
    return new Map([...this.applied].map(([name, a]) => [name, a.file]));
  }

  private schedule(file: string): void {
    if (this.stopped) return;
    this.dirty.add(file);
    const now = Date.now();
    this.firstDirtyAt ??= now;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.min(this.debounceMs, this.firstDirtyAt + this.debounceMs * MAX_DEBOUNCE_FACTOR - now);
    this.timer = setTimeout(
      () => {
        const batch = this.dirty;
        this.dirty = new Set();
        this.timer = undefined;
        this.firstDirtyAt = undefined;
        void this.enqueue(batch);
      },
      Math.max(0, wait),
    );
  }

  private enqueue(files: ReadonlySet<string>): Promise<void> {
    this.queue = this.queue.then(() =>
      this.pass(files).catch((err: unknown) => {
        if (err instanceof FolderGoneError) this.awaitFolder();
        else this.logger.error({ err, dir: this.dir }, 'reconciling the connectors folder failed');
      }),
    );
    return this.queue;
  }

  /**
   * `changed`: the files events named. Every pass re-reads the whole folder anyway (it is small),
   * so the result never depends on how the watcher reported a move or an editor's atomic save, e.g.
   * chokidar holds back an `unlink` to merge it with a re-`add`.
   */
  private async pass(changed: ReadonlySet<string>): Promise<void> {
    // A refused put is retried once its file is written again, even with the same content.
    for (const file of changed) this.rejected.delete(file);
    const files = new Map<string, FileState>();
    for (const file of await listConnectorFiles(this.dir)) {
      const state = await readState(file);
      if (state) files.set(file, state);
    }
    this.files = files;
    for (const file of this.rejected.keys()) if (!files.has(file)) this.rejected.delete(file);
    await this.checkRenames(files);

    const { claims, duplicates } = this.resolveClaims();
    const byName = new Map([...claims.values()].map((c) => [c.name, c]));
    const deletedHere = new Map<string, { name: string; config: Record<string, string> | undefined }>();
    // A failed delete leaves the connector in `applied`, so every later pass retries it.
    const deleteErrors = new Map<string, ConfigError>();

    for (const [name, applied] of [...this.applied]) {
      if (byName.has(name)) continue;
      if (await this.deleteApplied(name, applied, deleteErrors)) {
        deletedHere.set(applied.file, { name, config: applied.config });
      }
    }

    for (const claim of byName.values()) {
      if (claim.kind !== 'declared' || !claim.connector) continue;
      const before = this.applied.get(claim.name);
      if (
        before &&
        before.file === claim.file &&
        before.config &&
        sameConfig(
          withoutOwnName(claim.name, before.config),
          withoutOwnName(claim.name, claim.connector.config),
        )
      ) {
        continue;
      }
      try {
        await this.target.put(claim.name, claim.connector.config, { file: claim.file });
        this.applied.set(claim.name, { file: claim.file, config: claim.connector.config });
        this.rejected.delete(claim.file);
        const kind = before ? 'updated' : 'created';
        this.emit(
          { kind, name: claim.name, file: claim.file },
          `connector ${claim.name} ${kind} from ${claim.file}`,
        );
      } catch (err) {
        const error = locateProblems(err, claim.connector);
        this.rejected.set(claim.file, { name: claim.name, config: claim.connector.config, error });
        // Moved to this file from one that no longer claims it: that file's removal still deletes it.
        if (before && before.file !== claim.file) await this.deleteApplied(claim.name, before, deleteErrors);
        await this.restore(claim.file, deletedHere.get(claim.file));
      }
    }

    this.updateErrors(duplicates, deleteErrors);
    this.scheduleRetry();
    this.emitEvent({ kind: 'reconciled', files: [...changed] });
  }

  /**
   * A file that now names another connector than the one it runs: its new config is checked
   * before the old connector is deleted, so a refused rename leaves that one as it was (paused if
   * it was, its replication slot or claims kept) rather than deleting and putting it back.
   */
  private async checkRenames(files: ReadonlyMap<string, FileState>): Promise<void> {
    const target = this.target;
    if (!target.validate) return;
    const runs = new Map([...this.applied].map(([name, a]) => [a.file, name]));
    for (const [file, state] of files) {
      if (state.kind !== 'parsed') continue;
      const { name, config } = state.connector;
      const running = runs.get(file);
      if (running === undefined || running === name) continue;
      if (this.refusedAsIs(file, state.connector)) continue;
      try {
        await target.validate(name, config);
      } catch (err) {
        this.rejected.set(file, { name, config, error: locateProblems(err, state.connector) });
      }
    }
  }

  /** Whether the target already refused what `file` declares now (same name and config). */
  private refusedAsIs(file: string, connector: ConnectorFile): boolean {
    const refused = this.rejected.get(file);
    return (
      refused !== undefined && refused.name === connector.name && sameConfig(refused.config, connector.config)
    );
  }

  /** Puts refused files again after retryRefusedMs, as if they had been written. */
  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped || this.rejected.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      for (const file of this.rejected.keys()) this.schedule(file);
    }, this.retryRefusedMs);
    this.retryTimer.unref();
  }

  private async deleteApplied(
    name: string,
    applied: Applied,
    deleteErrors: Map<string, ConfigError>,
  ): Promise<boolean> {
    try {
      await this.target.delete(name, { file: applied.file });
    } catch (err) {
      const problem = { field: 'name', message: `deleting connector ${name} failed: ${messageOf(err)}` };
      deleteErrors.set(applied.file, new ConfigError([{ ...problem, file: applied.file }], applied.file));
      return false;
    }
    this.applied.delete(name);
    this.emit({ kind: 'deleted', name, file: applied.file }, `connector ${name} deleted (${applied.file})`);
    return true;
  }

  /** A rename whose new config the target refused: put the connector the file had back. */
  private async restore(
    file: string,
    previous: { name: string; config: Record<string, string> | undefined } | undefined,
  ): Promise<void> {
    if (!previous?.config) return;
    try {
      await this.target.put(previous.name, previous.config, { file });
      this.applied.set(previous.name, { file, config: previous.config });
      this.emit(
        { kind: 'restored', name: previous.name, file },
        `connector ${previous.name} restored (${file})`,
      );
    } catch (err) {
      this.logger.error(
        { err, file, connector: previous.name },
        `restoring connector ${previous.name} failed`,
      );
    }
  }

  /**
   * One claim per file at most, one file per name. A losing claim falls back to what its file
   * already runs, which that file always wins (it is the one running it), so this settles in at
   * most one fall-back per file.
   */
  private resolveClaims(): { claims: Map<string, Claim>; duplicates: Map<string, ConfigError> } {
    const appliedByFile = new Map([...this.applied].map(([name, a]) => [a.file, name]));
    const claims = new Map<string, Claim>();
    const keep = (file: string): void => {
      const name = appliedByFile.get(file);
      if (name === undefined) claims.delete(file);
      else claims.set(file, { file, name, kind: 'kept' });
    };

    const files = [...this.files.keys()].sort();
    for (const file of files) {
      const state = this.files.get(file)!;
      if (state.kind === 'parsed' && !this.refusedAsIs(file, state.connector)) {
        const c = state.connector;
        claims.set(file, { file, name: c.name, kind: 'declared', connector: c });
      } else {
        keep(file);
      }
    }

    const duplicates = new Map<string, ConfigError>();
    for (let changed = true; changed;) {
      changed = false;
      const byName = new Map<string, Claim[]>();
      for (const file of files) {
        const claim = claims.get(file);
        if (claim) byName.set(claim.name, [...(byName.get(claim.name) ?? []), claim]);
      }
      for (const [name, contenders] of byName) {
        if (contenders.length < 2) continue;
        const runningIn = this.applied.get(name)?.file;
        const winner = contenders.find((c) => c.file === runningIn) ?? contenders[0]!;
        for (const loser of contenders) {
          if (loser === winner) continue;
          const line = loser.connector?.lines.get('name');
          duplicates.set(
            loser.file,
            new ConfigError(
              [
                {
                  field: 'name',
                  message: `connector "${name}" is already declared in ${winner.file}; this file is ignored`,
                  file: loser.file,
                  ...(line === undefined ? {} : { line }),
                },
              ],
              loser.file,
            ),
          );
          if (loser.kind === 'declared') keep(loser.file);
          else claims.delete(loser.file);
          changed = true;
        }
      }
    }
    return { claims, duplicates };
  }

  private updateErrors(
    duplicates: ReadonlyMap<string, ConfigError>,
    deleteErrors: ReadonlyMap<string, ConfigError>,
  ): void {
    const next = new Map<string, ConfigError>();
    for (const [file, state] of this.files) {
      const error =
        state.kind === 'invalid' ? state.error : (duplicates.get(file) ?? this.rejected.get(file)?.error);
      if (error) next.set(file, error);
    }
    for (const [file, error] of deleteErrors) if (!next.has(file)) next.set(file, error);

    for (const [file, error] of next) {
      if (this.errors.get(file)?.message === error.message) continue;
      this.logger.warn({ file, problems: error.problems }, error.message);
      this.emitEvent({ kind: 'invalid', file, error });
    }
    for (const file of this.errors.keys()) {
      if (next.has(file) || !this.files.has(file)) continue;
      this.logger.info({ file }, `${file} is valid again`);
      this.emitEvent({ kind: 'recovered', file });
    }
    this.errors = next;
  }

  private emit(event: ReconcileEvent & { name: string; file: string }, message: string): void {
    this.logger.info({ connector: event.name, file: event.file }, message);
    this.emitEvent(event);
  }

  private emitEvent(event: ReconcileEvent): void {
    try {
      this.onEvent?.(event);
    } catch (err) {
      // A listener's bug must not stop the folder from being reconciled.
      this.logger.error({ err }, 'a reconcile event listener failed');
    }
  }
}

function isConnectorFile(p: string): boolean {
  const base = path.basename(p);
  return !base.startsWith('.') && /\.ya?ml$/i.test(base);
}

class FolderGoneError extends Error {
  constructor(dir: string) {
    super(`the connectors folder ${dir} is gone`);
  }
}

/** Connector files of the folder, sorted; throws FolderGoneError when the folder itself is gone. */
async function listConnectorFiles(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    // Any failure throws, failing the pass and changing nothing: a folder that is gone or
    // unreadable must not look like an empty one, which would delete every connector.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FolderGoneError(dir);
    throw err;
  }
  // Symlinks too (e.g. Kubernetes-mounted files); readState() drops dangling ones and directories.
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && isConnectorFile(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** The file's state now, or undefined when it is gone (or is no longer a plain file). */
async function readState(file: string): Promise<FileState | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    return {
      kind: 'invalid',
      error: new ConfigError([{ field: '(file)', message: messageOf(err), file }], file),
    };
  }
  try {
    return { kind: 'parsed', connector: parseConnectorFile(text, file) };
  } catch (err) {
    if (err instanceof ConfigError) return { kind: 'invalid', error: err };
    throw err;
  }
}

/** The worker stores `name` in every config (as Kafka Connect does); a file need not repeat it. */
function withoutOwnName(
  name: string,
  config: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (config['name'] !== name) return config;
  const { name: _own, ...rest } = config;
  return rest;
}

function sameConfig(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The target's field errors (keys of the flattened config) as problems in the file: fields become
 * their path in the file and get the line of their key, or of `config:` for a missing key.
 */
function locateProblems(err: unknown, connector: ConnectorFile): ConfigError {
  const raw: { field: string | undefined; message: string; line?: number }[] = [];
  if (err instanceof ConfigError) {
    for (const p of err.problems)
      raw.push({ field: p.field, message: p.message, ...(p.line ? { line: p.line } : {}) });
  } else if (Array.isArray((err as { errors?: unknown } | null)?.errors)) {
    // The runtime's ConnectorConfigError shape: { field, messages[] } per field.
    for (const e of (err as { errors: unknown[] }).errors) {
      const { field, messages } = e as { field?: unknown; messages?: unknown };
      const list = Array.isArray(messages) ? messages.map(String) : [messageOf(e)];
      for (const message of list) raw.push({ field: typeof field === 'string' ? field : undefined, message });
    }
  }
  if (raw.length === 0) raw.push({ field: undefined, message: messageOf(err) });

  const problems: ConfigProblem[] = raw.map(({ field, message, line }) => {
    const inFile = field === undefined ? '(connector)' : field === 'name' ? 'name' : `config.${field}`;
    const where =
      line ?? connector.lines.get(inFile) ?? connector.lines.get(field === undefined ? 'name' : 'config');
    return { field: inFile, message, file: connector.file, ...(where === undefined ? {} : { line: where }) };
  });
  return new ConfigError(problems, connector.file);
}
