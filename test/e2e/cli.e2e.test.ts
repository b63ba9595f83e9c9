import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../support/free-port.js';
import { runCli } from '../support/run-cli.js';
import { WorkerProcess, writeYaml } from '../support/worker-process.js';

let worker: WorkerProcess;
let root: string;
let url: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-cli-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  fs.mkdirSync(path.join(root, 'data', 'in'), { recursive: true });
  writeYaml(
    path.join(root, 'worker.yaml'),
    `rest:\n  port: ${port}\nlog:\n  dir: ${root}/data/log\nconnectors:\n  dir: ${root}/connectors\nfiles:\n  roots: [${root}/data]\n`,
  );
  fs.mkdirSync(path.join(root, 'connectors'));
  worker = new WorkerProcess(path.join(root, 'worker.yaml'), url);
  await worker.start();
}, 120_000);

afterAll(async () => {
  await worker?.stop();
});

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const sourceYaml = (topic: string): string =>
  `name: lines\nconfig:\n  connector.class: file-source\n  topic: ${topic}\n  path: ${root}/data/in\n  glob: '*.txt'\n  format: text\n  poll.interval.ms: 100\n`;

describe('sluice CLI against a running worker', () => {
  it('creates topics, produces from stdin and consumes them back as JSON lines', async () => {
    expect((await runCli(['topics', 'create', 'cli-topic', '--partitions', '2'], { url })).code).toBe(0);
    const produced = await runCli(['topics', 'produce', 'cli-topic', '--key-separator', ':'], {
      url,
      stdin: 'a:{"n":1}\nb:plain text\n',
    });
    expect(produced).toMatchObject({ code: 0, stderr: expect.stringContaining('sent 2 records') });
    const consumed = await runCli(['topics', 'consume', 'cli-topic', '--from-beginning', '--limit', '10'], {
      url,
    });
    expect(consumed.code).toBe(0);
    const lines = consumed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['key'], l['value']]).sort()).toEqual([
      ['a', { n: 1 }],
      ['b', 'plain text'],
    ]);
    expect(Object.keys(lines[0]!).sort()).toEqual([
      'headers',
      'key',
      'offset',
      'partition',
      'timestamp',
      'topic',
      'value',
    ]);
    const list = await runCli(['topics', 'list'], { url });
    expect(list.stdout.split('\n')).toContain('cli-topic');
    const described = await runCli(['topics', 'describe', 'cli-topic'], { url });
    expect(described.stdout).toMatch(/^cli-topic {2}topic_id=[A-Za-z0-9_-]{22}\n/);
    expect(described.stdout).toMatch(/PARTITION\s+START\s+END/);
    expect(await runCli(['topics', 'delete', 'cli-topic'], { url })).toMatchObject({
      code: 0,
      stdout: 'deleted topic cli-topic\n',
    });
    expect((await runCli(['topics', 'list'], { url })).stdout.split('\n')).not.toContain('cli-topic');
    const gone = await runCli(['topics', 'delete', 'cli-topic'], { url });
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/cli-topic/);
  });

  it('applies, lists, pauses, resumes, restarts and deletes connectors', async () => {
    const file = path.join(root, 'lines.yaml');
    fs.writeFileSync(file, sourceYaml('lines'));
    expect(await runCli(['connectors', 'apply', '-f', file], { url })).toMatchObject({
      code: 0,
      stdout: 'created connector lines\n',
    });
    // a typo is applied (it changes nothing), and the user is told so
    fs.writeFileSync(file, `${sourceYaml('lines')}  pol.interval.ms: 50\n`);
    expect(await runCli(['connectors', 'apply', '-f', file], { url })).toMatchObject({
      code: 0,
      stdout: 'updated connector lines\n',
      stderr:
        'warning: connector lines: settings that neither file-source nor the runtime reads, so they change nothing: pol.interval.ms (did you mean poll.interval.ms?)\n',
    });
    fs.writeFileSync(path.join(root, 'data', 'in', 'one.txt'), 'first\nsecond\n');
    const listed = await eventually(
      () => runCli(['connectors', 'list'], { url }),
      (r) => /lines\s+source\s+RUNNING\s+1\/1 running/.test(r.stdout),
    );
    expect(listed.stdout).toMatch(/lines\s+source\s+RUNNING\s+1\/1 running/);
    const consumed = await eventually(
      () => runCli(['topics', 'consume', 'lines', '--from-beginning', '--limit', '2'], { url }),
      (r) => r.stdout.trim().split('\n').length === 2,
    );
    // the worker's default value converter is Kafka's JsonConverter with schemas: an envelope
    const values = consumed.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { value: { payload: string; schema: { type: string } } }).value);
    expect(values).toEqual([
      { schema: { type: 'string', optional: false }, payload: 'first' },
      { schema: { type: 'string', optional: false }, payload: 'second' },
    ]);

    expect((await runCli(['connectors', 'pause', 'lines'], { url })).stdout).toBe('paused connector lines\n');
    const paused = await eventually(
      () => runCli(['connectors', 'status', 'lines'], { url }),
      (r) => r.stdout.includes('task 0: PAUSED'),
    );
    expect(paused.stdout).toContain('lines (source): PAUSED');
    expect((await runCli(['connectors', 'resume', 'lines'], { url })).code).toBe(0);
    // the file source takes no signals: the worker's reason reaches the user
    const refused = await runCli(['connectors', 'snapshot', 'lines', 'public.orders'], { url });
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no running task that takes signals'),
    });
    const badData = await runCli(['connectors', 'signal', 'lines', 'ping', '--data', '{oops'], { url });
    expect(badData).toMatchObject({ code: 2, stderr: expect.stringContaining('--data is not JSON') });
    expect(badData.stderr.trim().split('\n')).toHaveLength(1);
    expect((await runCli(['connectors', 'restart', 'lines', '--include-tasks'], { url })).stdout).toBe(
      'restarting connector lines\n',
    );
    expect((await runCli(['connectors', 'delete', 'lines'], { url })).code).toBe(0);
    const missing = await runCli(['connectors', 'status', 'lines'], { url });
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('404') });
  }, 120_000);

  it('reconciles the connectors folder: add, change, refuse an invalid file, remove', async () => {
    const file = path.join(root, 'connectors', 'folder.yaml');
    fs.writeFileSync(file, sourceYaml('folder-a').replace('name: lines', 'name: folder'));
    const status = (): Promise<{ code: number; stdout: string }> =>
      runCli(['connectors', 'status', 'folder', '--json'], { url });
    await eventually(status, (r) => r.code === 0 && r.stdout.includes('"RUNNING"'));
    fs.writeFileSync(file, sourceYaml('folder-b').replace('name: lines', 'name: folder'));
    const config = (): Promise<Record<string, string>> =>
      fetch(`${url}/connectors/folder/config`).then((r) => r.json() as Promise<Record<string, string>>);
    expect((await eventually(config, (c) => c['topic'] === 'folder-b'))['topic']).toBe('folder-b');

    // the file owns the connector: a REST edit, which the next read of the file would undo, is refused
    const edit = await fetch(`${url}/connectors/folder/config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'elsewhere' }),
    });
    expect(edit.status).toBe(409);
    expect(await edit.json()).toEqual({
      error_code: 409,
      message: expect.stringContaining(`declared in ${file}: edit that file`),
    });
    expect((await fetch(`${url}/connectors/folder`, { method: 'DELETE' })).status).toBe(409);
    expect((await config())['topic']).toBe('folder-b');

    // an invalid file is reported and leaves the running connector as it was
    fs.writeFileSync(
      file,
      'name: folder\nconfig:\n  connector.class: file-source\n  topic: folder-c\n  batch.size: lots\n',
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect((await config())['topic']).toBe('folder-b');
    expect(worker.logs).toMatch(/batch\.size/);

    fs.rmSync(file);
    const gone = await eventually(
      () => fetch(`${url}/connectors/folder`).then((r) => r.status),
      (s) => s === 404,
    );
    expect(gone).toBe(404);
  });

  it('validates files offline, with file, line and field for each problem', async () => {
    const good = path.join(root, 'good.yaml');
    fs.writeFileSync(good, sourceYaml('x'));
    const bad = path.join(root, 'bad.yaml');
    fs.writeFileSync(
      bad,
      'name: bad\nconfig:\n  connector.class: file-source\n  format: xml\n  tasks.max: 0\n',
    );
    const result = await runCli([
      'validate',
      '--config', // as `start` takes it; --worker too
      path.join(root, 'worker.yaml'),
      good,
      bad,
      path.join(root, 'worker.yaml'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`${good}: ok`);
    expect(result.stdout).toContain(`${path.join(root, 'worker.yaml')}: ok`);
    expect(result.stderr).toContain(`${bad}: `);
    expect(result.stderr).toMatch(new RegExp(`${bad}:4: format`));
    expect(result.stderr).toMatch(new RegExp(`${bad}:5: tasks.max`));
    expect(result.stderr).toMatch(/topic/);
    // a value from a reference is shown as the reference, never as what it gave
    const referenced = path.join(root, 'referenced.yaml');
    fs.writeFileSync(
      referenced,
      'name: referenced\nconfig:\n  connector.class: file-source\n  tasks.max: ${env:SLUICE_TEST_MAX}\n',
    );
    const leak = await runCli(['validate', referenced], { env: { SLUICE_TEST_MAX: 'topsecretvalue' } });
    expect(leak.stderr).toContain('${env:SLUICE_TEST_MAX}');
    expect(leak.stderr).not.toContain('topsecretvalue');
    // the worker file alone
    const worker = await runCli(['validate', '--config', path.join(root, 'worker.yaml')]);
    expect(worker).toMatchObject({ code: 0, stdout: `${path.join(root, 'worker.yaml')}: ok\n` });
    const nothing = await runCli(['validate']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('name the files to check');
    // a connector file in JSON, as `connectors apply -f` takes it, is a connector file too
    const json = path.join(root, 'json-connector.json');
    fs.writeFileSync(
      json,
      JSON.stringify({
        name: 'j',
        config: { 'connector.class': 'file-sink', topics: 't', path: `${root}/data/j` },
      }),
    );
    expect(await runCli(['validate', '--config', path.join(root, 'worker.yaml'), json])).toMatchObject({
      code: 0,
      stdout: `${json}: ok\n`,
    });
    // a typo is a warning, not a failure
    const typo = path.join(root, 'typo.yaml');
    fs.writeFileSync(typo, sourceYaml('x').replace('config:\n', 'config:\n  batch.szie: 10\n'));
    const warned = await runCli(['validate', '--config', path.join(root, 'worker.yaml'), typo]);
    expect(warned).toMatchObject({ code: 0, stdout: `${typo}: ok\n` });
    expect(warned.stderr).toContain(
      `${typo}:3: warning: batch.szie is not a setting of file-source nor of the runtime, so it changes nothing (did you mean batch.size?)`,
    );
  });

  it('validates connector files against the worker file given with them, and a worker file as the worker checks it', async () => {
    const workerYaml = path.join(root, 'worker.yaml');
    const good = path.join(root, 'good-with-worker.yaml');
    fs.writeFileSync(good, sourceYaml('x'));
    // its roots, not those of the repository's config/worker.yaml
    expect(await runCli(['validate', workerYaml, good])).toMatchObject({ code: 0 });
    // a ${file:...} outside the worker's files.roots and files.secrets, as the worker refuses it
    const secret = path.join(os.tmpdir(), `sluice-cli-secret-${process.pid}.properties`);
    fs.writeFileSync(secret, 'max=2\n');
    const outside = path.join(root, 'outside.yaml');
    fs.writeFileSync(
      outside,
      sourceYaml('x').replace('config:\n', `config:\n  tasks.max: \${file:${secret}:max}\n`),
    );
    const refused = await runCli(['validate', workerYaml, outside]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/outside the allowed paths|not allowed/);
    fs.rmSync(secret);
    // a worker listening beyond the loopback address without auth: start would refuse it
    const open = path.join(root, 'open-worker.yaml');
    fs.writeFileSync(
      open,
      fs.readFileSync(workerYaml, 'utf8').replace('rest:\n', 'rest:\n  host: 0.0.0.0\n'),
    );
    const opened = await runCli(['validate', open]);
    expect(opened.code).toBe(2);
    expect(opened.stderr).toContain('only with rest.auth configured');
  });

  it('refuses bad numbers and partitions in one line, and ends quietly when its reader stops reading', async () => {
    expect((await runCli(['topics', 'create', 'cli-parts', '-p', '2'], { url })).code).toBe(0);
    const wrongPartition = await runCli(['topics', 'consume', 'cli-parts', '--partition', '7'], { url });
    expect(wrongPartition).toMatchObject({
      code: 2,
      stderr: 'sluice: topic cli-parts has partitions 0 to 1, not 7\n',
    });
    const notNumber = await runCli(['topics', 'create', 'x2', '-p', 'abc'], { url });
    expect(notNumber.code).not.toBe(0);
    expect(notNumber.stderr).toContain('expected a whole number of at least 1, not "abc"');
    const many = Array.from({ length: 3000 }, (_, i) => `{"n":${i}}`).join('\n');
    await runCli(['topics', 'create', 'cli-many'], { url });
    expect((await runCli(['topics', 'produce', 'cli-many'], { url, stdin: many })).code).toBe(0);
    const piped = await runCli(['topics', 'consume', 'cli-many', '--from-beginning', '--limit', '3000'], {
      url,
      closeStdoutEarly: true,
    });
    expect(piped.stderr).not.toContain('EPIPE');
    expect(piped.code).toBe(0);
  });

  it('says clearly when no worker answers', async () => {
    const result = await runCli(['connectors', 'list'], { url: 'http://127.0.0.1:1' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('cannot reach the worker at http://127.0.0.1:1');
  });

  it('refuses a --watch interval that is not a number of milliseconds in one line, without a stack', async () => {
    const result = await runCli(['connectors', 'status', 'lines', '--watch', 'often'], {
      url: 'http://127.0.0.1:1',
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('sluice: --watch takes milliseconds (at least 100), not often');
  });

  it('names a file it cannot read in one line, without a stack', async () => {
    const result = await runCli(['connectors', 'apply', '-f', '/nonexistent/c.yaml'], {
      url: 'http://127.0.0.1:1',
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('sluice: cannot read /nonexistent/c.yaml: no such file');
  });
});
