import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.js';
import {
  ConnectorReconciler,
  type ConnectorConfigTarget,
  type ReconcileEvent,
  type ReconcilerLogger,
} from './connector-reconciler.js';

/** The herder as the reconciler sees it, with a validation like the runtime's. */
class MemoryTarget implements ConnectorConfigTarget {
  readonly connectors = new Map<string, { config: Record<string, string>; file: string }>();
  readonly calls: string[] = [];
  listed: { name: string; file: string; config?: Record<string, string> }[] | undefined;

  async put(name: string, config: Record<string, string>, source: { file: string }): Promise<void> {
    this.calls.push(`put ${name}`);
    const problems = [];
    if (!config['connector.class']) problems.push({ field: 'connector.class', message: 'is required' });
    if (config['tasks.max'] !== undefined && !/^\d+$/.test(config['tasks.max'])) {
      problems.push({ field: 'tasks.max', message: 'must be an integer' });
    }
    if (problems.length > 0) throw new ConfigError(problems);
    this.connectors.set(name, { config, file: source.file });
  }

  async delete(name: string): Promise<void> {
    this.calls.push(`delete ${name}`);
    this.connectors.delete(name);
  }

  /** What put() checks, without applying it. */
  protected check(config: Record<string, string>): void {
    const problems = [];
    if (!config['connector.class']) problems.push({ field: 'connector.class', message: 'is required' });
    if (problems.length > 0) throw new ConfigError(problems);
  }
}

/** A target that can check a config without applying it (target.validate). */
class ValidatingTarget extends MemoryTarget {
  async validate(name: string, config: Record<string, string>): Promise<void> {
    this.calls.push(`validate ${name}`);
    this.check(config);
  }
}

const DEBOUNCE_MS = 40;

let dir: string;
let target: MemoryTarget;
let events: ReconcileEvent[];
let warnings: string[];
let reconciler: ConnectorReconciler | undefined;

const logger: ReconcilerLogger = {
  info() {},
  warn(_obj, msg) {
    warnings.push(msg);
  },
  error(_obj, msg) {
    warnings.push(msg);
  },
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-reconciler-'));
  target = new MemoryTarget();
  events = [];
  warnings = [];
});

afterEach(async () => {
  await reconciler?.stop();
  reconciler = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function connector(name: string, extra = ''): string {
  return `name: ${name}\nconfig:\n  connector.class: file-source\n  tasks.max: 1\n${extra}`;
}

async function start(withList = false, retryRefusedMs?: number): Promise<ConnectorReconciler> {
  const list = target.listed;
  const t: ConnectorConfigTarget = withList
    ? { put: (...a) => target.put(...a), delete: (n) => target.delete(n), list: async () => list ?? [] }
    : target;
  reconciler = new ConnectorReconciler({
    dir,
    target: t,
    logger,
    debounceMs: DEBOUNCE_MS,
    retryRefusedMs,
    onEvent: (e) => events.push(e),
  });
  await reconciler.start();
  return reconciler;
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Until no event came for a while: earlier writes' passes are done, so the next one is ours. */
async function quiet(): Promise<void> {
  for (let seen = -1; seen !== events.length;) {
    seen = events.length;
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 3));
  }
}

/** Makes a change and waits for the pass that re-read `file` after it. */
async function passOver(file: string, change: () => void): Promise<void> {
  await quiet();
  const from = events.length;
  change();
  await waitFor(`a pass over ${file}`, () =>
    events.slice(from).some((e) => e.kind === 'reconciled' && e.files.includes(file)),
  );
}

describe('ConnectorReconciler', () => {
  it('applies every connector file before start() resolves, ignoring other files', async () => {
    write('a.yaml', connector('a'));
    write('b.yml', connector('b', '  topic: t\n'));
    write('notes.txt', connector('txt'));
    write('.hidden.yaml', connector('hidden'));
    write('a.yaml~', connector('backup'));
    fs.mkdirSync(path.join(dir, 'sub'));
    write('sub/c.yaml', connector('c'));

    const r = await start();

    expect([...target.connectors.keys()].sort()).toEqual(['a', 'b']);
    expect(target.connectors.get('b')).toEqual({
      config: { 'connector.class': 'file-source', 'tasks.max': '1', topic: 't' },
      file: path.join(dir, 'b.yml'),
    });
    expect(r.lastErrors().size).toBe(0);
    expect(Object.fromEntries(r.connectors())).toEqual({
      a: path.join(dir, 'a.yaml'),
      b: path.join(dir, 'b.yml'),
    });
  });

  it('creates the folder when it is missing, and watches it', async () => {
    fs.rmSync(dir, { recursive: true });
    await start();
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    write('a.yaml', connector('a'));
    await waitFor('a created', () => target.connectors.has('a'));
  });

  it('keeps its connectors when the folder is removed, and follows the folder put back in its place', async () => {
    write('a.yaml', connector('a'));
    write('b.yaml', connector('b'));
    await start();
    expect([...target.connectors.keys()].sort()).toEqual(['a', 'b']);
    // a deploy that replaces the folder: rm -rf, then a copy
    fs.rmSync(dir, { recursive: true });
    await waitFor('the warning', () => warnings.some((w) => /connectors folder is gone/.test(w)));
    expect([...target.connectors.keys()].sort()).toEqual(['a', 'b']);
    expect(target.calls).toEqual(['put a', 'put b']);
    fs.mkdirSync(dir);
    write('a.yaml', connector('a', '  topic: again\n'));
    write('c.yaml', connector('c'));
    await waitFor(
      'the new folder applied',
      () => target.connectors.has('c') && !target.connectors.has('b'),
      10_000,
    );
    expect(target.connectors.get('a')?.config['topic']).toBe('again');
    // and it is watched: a later edit is seen
    write('c.yaml', connector('c', '  topic: later\n'));
    await waitFor('the edit', () => target.connectors.get('c')?.config['topic'] === 'later');
  });

  it('creates on add, updates on a real change only, deletes on removal', async () => {
    await start();
    const file = write('orders.yaml', connector('orders'));
    await waitFor('created', () => target.connectors.has('orders'));

    await passOver(file, () => write('orders.yaml', connector('orders', '  topic: t2\n')));
    expect(target.connectors.get('orders')?.config['topic']).toBe('t2');
    expect(target.calls).toEqual(['put orders', 'put orders']);

    // Same flattened config, written differently: no update.
    await passOver(file, () =>
      write(
        'orders.yaml',
        '# reformatted\nname: orders\nconfig: { connector: { class: file-source }, tasks.max: 1, topic: "t2" }\n',
      ),
    );
    expect(target.calls).toEqual(['put orders', 'put orders']);

    fs.rmSync(file);
    await waitFor('deleted', () => !target.connectors.has('orders'));
    expect(target.calls).toEqual(['put orders', 'put orders', 'delete orders']);
    expect(events.filter((e) => e.kind !== 'reconciled').map((e) => e.kind)).toEqual([
      'created',
      'updated',
      'deleted',
    ]);
  });

  it('debounces rapid writes into one update with the last content', async () => {
    write('a.yaml', connector('a'));
    await start();
    for (let i = 1; i <= 5; i++) write('a.yaml', connector('a', `  n: ${i}\n`));
    await waitFor('n=5', () => target.connectors.get('a')?.config['n'] === '5');
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS * 3));
    expect(target.calls).toEqual(['put a', 'put a']);
  });

  it('renaming the connector inside a file deletes the old one, then creates the new one', async () => {
    const file = write('a.yaml', connector('old'));
    const r = await start();
    write('a.yaml', connector('new'));
    await waitFor('renamed', () => target.connectors.has('new'));
    expect(target.connectors.has('old')).toBe(false);
    expect(target.calls).toEqual(['put old', 'delete old', 'put new']);
    expect(Object.fromEntries(r.connectors())).toEqual({ new: file });
  });

  it('reports the second file declaring a name, and lets it take over when the first goes', async () => {
    const first = write('a.yaml', connector('same', '  from: a\n'));
    const second = write('b.yaml', `# comment\n${connector('same', '  from: b\n')}`);
    const r = await start();

    expect(target.connectors.get('same')?.config['from']).toBe('a');
    expect(r.lastErrors().get(second)?.problems).toEqual([
      expect.objectContaining({
        file: second,
        line: 2,
        field: 'name',
        message: expect.stringContaining(first),
      }),
    ]);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'invalid', file: second }));

    // The running one keeps the name even when the other file changes.
    await passOver(second, () => write('b.yaml', connector('same', '  from: b2\n')));
    expect(target.connectors.get('same')?.config['from']).toBe('a');

    fs.rmSync(first);
    await waitFor('b takes over', () => target.connectors.get('same')?.config['from'] === 'b2');
    expect(target.connectors.get('same')?.file).toBe(second);
    expect(target.calls).not.toContain('delete same');
    expect(r.lastErrors().size).toBe(0);
  });

  it('leaves the running connector untouched on a YAML error, reports file/line/field, recovers when fixed', async () => {
    const file = write('a.yaml', connector('a'));
    const r = await start();
    const before = target.connectors.get('a');

    await passOver(file, () => write('a.yaml', 'name: a\nconfig:\n  connector.class: x\n  tasks.max: [1\n'));
    expect(target.connectors.get('a')).toBe(before);
    expect(target.calls).toEqual(['put a']);
    const problems = r.lastErrors().get(file)?.problems ?? [];
    expect(problems[0]).toEqual(expect.objectContaining({ file, field: '(yaml)', line: expect.any(Number) }));
    expect(warnings.some((w) => w.includes(file))).toBe(true);

    await passOver(file, () => write('a.yaml', connector('a', '  fixed: yes\n')));
    expect(target.connectors.get('a')?.config['fixed']).toBe('yes');
    expect(r.lastErrors().size).toBe(0);
    expect(events.map((e) => e.kind)).toContain('recovered');
  });

  it('maps the target validation errors to lines of the file and retries at once after a change', async () => {
    const file = write('a.yaml', connector('a'));
    const r = await start();

    await passOver(file, () => write('a.yaml', 'name: a\nconfig:\n  tasks:\n    max: many\n  topic: t\n'));
    expect(target.connectors.get('a')?.config['connector.class']).toBe('file-source');
    expect(r.lastErrors().get(file)?.problems).toEqual([
      { file, line: 2, field: 'config.connector.class', message: 'is required' },
      { file, line: 4, field: 'config.tasks.max', message: 'must be an integer' },
    ]);

    // Another file's change re-runs the pass: the refused config is not put again.
    const calls = target.calls.length;
    write('b.yaml', connector('b'));
    await waitFor('b', () => target.connectors.has('b'));
    expect(target.calls.slice(calls)).toEqual(['put b']);
    expect(r.lastErrors().has(file)).toBe(true);

    await passOver(file, () => write('a.yaml', connector('a', '  topic: t\n')));
    expect(target.connectors.get('a')?.config['topic']).toBe('t');
    expect(r.lastErrors().size).toBe(0);
  });

  it('puts a refused file again after a while, for a refusal that passes (a database not up yet)', async () => {
    let down = 3;
    const put = target.put.bind(target);
    target.put = async (name, config, source) => {
      if (name === 'late' && down-- > 0) {
        target.calls.push(`put ${name}`);
        throw new ConfigError([
          { field: 'database.hostname', message: 'cannot connect: the server is not up' },
        ]);
      }
      await put(name, config, source);
    };
    write('late.yaml', connector('late'));
    await start(false, 100);
    await waitFor('late created', () => target.connectors.has('late'));
    expect(target.calls).toEqual(['put late', 'put late', 'put late', 'put late']);
    // the same refusal is logged once, not at every retry
    expect(warnings.filter((w) => /not up/.test(w))).toHaveLength(1);
  });

  it('moving a file keeps its connector running (no delete)', async () => {
    const from = write('a.yaml', connector('moved'));
    await start();
    const to = path.join(dir, 'renamed.yaml');
    fs.renameSync(from, to);
    await waitFor('moved', () => target.connectors.get('moved')?.file === to);
    expect(target.calls).toEqual(['put moved', 'put moved']);
  });

  it('puts the old connector back when a rename is refused', async () => {
    const file = write('a.yaml', connector('old'));
    const r = await start();
    await passOver(file, () => write('a.yaml', 'name: new\nconfig:\n  tasks.max: 1\n'));
    expect([...target.connectors.keys()]).toEqual(['old']);
    expect(target.calls).toEqual(['put old', 'delete old', 'put new', 'put old']);
    expect(r.lastErrors().get(file)?.problems[0]).toEqual(
      expect.objectContaining({ field: 'config.connector.class', line: 2 }),
    );
    expect(Object.fromEntries(r.connectors())).toEqual({ old: file });
  });

  it('checks a rename before deleting the old connector: refused, the old one is left as it was', async () => {
    target = new ValidatingTarget();
    const file = write('a.yaml', connector('old'));
    const r = await start();
    await passOver(file, () => write('a.yaml', 'name: new\nconfig:\n  tasks.max: 1\n'));
    expect(target.calls).toEqual(['put old', 'validate new']);
    expect(r.lastErrors().get(file)?.problems[0]).toEqual(
      expect.objectContaining({ field: 'config.connector.class', line: 2 }),
    );
    expect(Object.fromEntries(r.connectors())).toEqual({ old: file });
    // fixed, the rename goes through
    await passOver(file, () => write('a.yaml', connector('new')));
    expect(target.calls.slice(2)).toEqual(['validate new', 'delete old', 'put new']);
    expect([...target.connectors.keys()]).toEqual(['new']);
  });

  it('with target.list(), deletes connectors whose file went away while stopped and skips unchanged ones', async () => {
    const kept = write('kept.yaml', connector('kept'));
    target.listed = [
      // the worker stores the connector's name in its config; the file does not repeat it
      {
        name: 'kept',
        file: kept,
        config: { 'connector.class': 'file-source', 'tasks.max': '1', name: 'kept' },
      },
      { name: 'gone', file: path.join(dir, 'gone.yaml') },
      { name: 'elsewhere', file: path.join(os.tmpdir(), 'elsewhere.yaml') },
    ];
    target.connectors.set('gone', { config: {}, file: path.join(dir, 'gone.yaml') });
    target.connectors.set('elsewhere', { config: {}, file: 'x' });
    await start(true);
    expect(target.calls).toEqual(['delete gone']);
    expect([...target.connectors.keys()].sort()).toEqual(['elsewhere']);
  });

  it('follows a Kubernetes ConfigMap update, which swaps the ..data symlink the files link through', async () => {
    // the layout kubelet's atomic writer makes: name.yaml -> ..data/name.yaml, ..data -> ..<timestamp>
    const version = (n: number, files: Record<string, string>): string => {
      const name = `..2026_11_22_0${n}`;
      fs.mkdirSync(path.join(dir, name));
      for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name, file), text);
      return name;
    };
    fs.symlinkSync(version(1, { 'a.yaml': connector('a') }), path.join(dir, '..data'));
    fs.symlinkSync('..data/a.yaml', path.join(dir, 'a.yaml'));
    reconciler = await start();
    expect(target.connectors.get('a')?.config['tasks.max']).toBe('1');

    // kubelet links the new version as ..data_tmp, renames it over ..data, and only later
    // removes the old version (which is kept here, so that nothing else signals the change)
    const next = version(2, { 'a.yaml': connector('a').replace('tasks.max: 1', 'tasks.max: 2') });
    fs.symlinkSync(next, path.join(dir, '..data_tmp'));
    fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    await waitFor('the update', () => target.connectors.get('a')?.config['tasks.max'] === '2');
  });

  it('stops watching on stop()', async () => {
    const r = await start();
    await r.stop();
    write('late.yaml', connector('late'));
    await new Promise((res) => setTimeout(res, DEBOUNCE_MS * 5));
    expect(target.connectors.size).toBe(0);
  });
});
