import { afterEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Log, RecordBatchDecoder, type LogRecord } from '@sluice/log';
import { pino } from 'pino';
import { CONVERTER_PLUGINS } from '../converters/index.js';
import { PREDICATE_PLUGINS } from '../predicates/index.js';
import { TRANSFORM_PLUGINS } from '../transforms/index.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { AckProbe, IngressGate, MemorySink, TEST_CONNECTOR_PLUGINS } from '../testing/test-connectors.js';
import { ConfigStore } from './config-store.js';
import { type ConfigResolver, StandaloneHerder } from './standalone-herder.js';
import { HerderError, type ConnectorStatus } from './herder.js';

const silent = pino({ level: 'silent' });
const running: { herder: StandaloneHerder; log: Log }[] = [];

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register([...TEST_CONNECTOR_PLUGINS, ...CONVERTER_PLUGINS, ...TRANSFORM_PLUGINS, ...PREDICATE_PLUGINS]);
  return r;
}

async function startWorker(
  dir: string,
  options: {
    taskShutdownTimeoutMs?: number;
    connectorsDir?: string;
    connectorDefaults?: Record<string, string>;
    resolver?: ConfigResolver;
  } = {},
): Promise<{ herder: StandaloneHerder; log: Log }> {
  const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0, logger: silent });
  const herder = new StandaloneHerder({
    workerId: 'test:8083',
    log,
    registry: registry(),
    logger: silent,
    ...options,
  });
  await herder.start();
  const w = { herder, log };
  running.push(w);
  return w;
}

async function stopWorker(w: { herder: StandaloneHerder; log: Log }): Promise<void> {
  running.splice(running.indexOf(w), 1);
  await w.herder.stop();
  await w.log.close();
}

afterEach(async () => {
  for (const w of running.splice(0)) {
    await w.herder.stop();
    await w.log.close();
  }
});

async function eventually<T>(
  probe: () => Promise<T> | T,
  ok: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let v: T | undefined;
    try {
      v = await probe();
      if (ok(v)) return v;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`condition not reached; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The record batches of partition 0 of `topic`, once it holds `count` records. */
async function batchesOnceHolding(log: Log, topic: string, count: number): Promise<Buffer> {
  await eventually(
    async () =>
      (
        await log
          .admin()
          .describeTopic(topic)
          .catch(() => null)
      )?.partitions[0]?.endOffset ?? 0,
    (end) => end >= count,
  );
  return (await log.storage.fetch(topic, 0, { offset: 0, maxBytes: 1 << 20 })).batches;
}

/** The values of partition 0 of `topic` as text, once it holds `count` records. */
async function valuesOnceHolding(log: Log, topic: string, count: number): Promise<string[]> {
  const batches = await batchesOnceHolding(log, topic, count);
  const records: LogRecord[] = [];
  for (let pos = 0; pos < batches.length; pos += batches.readInt32BE(pos + 8) + 12)
    new RecordBatchDecoder().decode(batches, pos, records);
  return records.map((r) => Buffer.from(r.value!).toString());
}

const source = (count: number, extra: Record<string, string> = {}): Record<string, string> => ({
  'connector.class': 'sequence-source',
  topic: 'numbers',
  count: String(count),
  'offset.flush.interval.ms': '50',
  ...extra,
});

const sink = (bucket: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'connector.class': 'memory-sink',
  topics: 'numbers',
  bucket,
  'offset.flush.interval.ms': '50',
  ...extra,
});

const states = (s: ConnectorStatus): string => [s.connector.state, ...s.tasks.map((t) => t.state)].join(',');

describe('StandaloneHerder', () => {
  it('runs a source into the log and a sink out of it, with RUNNING statuses', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    const created = await herder.putConnectorConfig('seq', source(40));
    expect(created).toMatchObject({
      created: true,
      info: { name: 'seq', type: 'source', tasks: [{ connector: 'seq', task: 0 }] },
    });
    await herder.putConnectorConfig('mem', sink('flow'));
    const received = await eventually(
      () => MemorySink.received.get('flow') ?? [],
      (r) => r.length >= 40,
    );
    expect(received.map((r) => (r.value as { n: number }).n)).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
    expect(states(await herder.connectorStatus('seq'))).toBe('RUNNING,RUNNING');
    expect(states(await herder.connectorStatus('mem'))).toBe('RUNNING,RUNNING');
    expect(await herder.connectorTopics('seq')).toEqual(['numbers']);
    expect(await herder.connectors()).toEqual(['mem', 'seq']);
  });

  it('writes compressed batches with producer.override.compression.type, read back the same', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig(
      'packed',
      source(300, { topic: 'packed', 'producer.override.compression.type': 'lz4' }),
    );
    await herder.putConnectorConfig('mem', sink('packed', { topics: 'packed' }));
    const received = await eventually(
      () => MemorySink.received.get('packed') ?? [],
      (r) => r.length >= 300,
    );
    expect(received.map((r) => (r.value as { n: number }).n)).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
    const { batches } = await log.storage.fetch('packed', 0, { offset: 0, maxBytes: 1 << 20 });
    // RecordBatch v2: the attributes (codec in the low 3 bits, lz4 = 3) follow the base offset,
    // length, leader epoch, magic and CRC, at byte 21
    expect(batches.readInt16BE(21) & 0x7).toBe(3);

    // empty means the default, for the tasks as for the validation
    await herder.putConnectorConfig(
      'plain',
      source(3, { topic: 'plain', 'producer.override.compression.type': '' }),
    );
    await eventually(
      async () =>
        (
          await log
            .admin()
            .describeTopic('plain')
            .catch(() => null)
        )?.partitions[0]?.endOffset ?? 0,
      (end) => end >= 3,
    );
    expect(states(await herder.connectorStatus('plain'))).toBe('RUNNING,RUNNING');

    await expect(
      herder.putConnectorConfig('bad', source(1, { 'producer.override.compression.type': 'snappy' })),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: [
        expect.objectContaining({
          field: 'producer.override.compression.type',
          messages: [expect.stringMatching(/^must be one of none, gzip, lz4/)],
        }),
      ],
    });
  });

  it("stores a value's JSON text as the source gave it, unless a transformation changed the value", async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    const valuesIn = (topic: string, count: number): Promise<string[]> =>
      valuesOnceHolding(log, topic, count);
    const plain = {
      'value.json': 'true',
      'value.converter': 'json',
      'value.converter.schemas.enable': 'false',
    };
    await herder.putConnectorConfig('as-is', source(2, { ...plain, topic: 'as-is' }));
    expect(await valuesIn('as-is', 2)).toEqual(['{"n":0,"task":0}', '{"n":1,"task":0}']);
    await herder.putConnectorConfig('enveloped', source(1, { 'value.json': 'true', topic: 'enveloped' }));
    expect(await valuesIn('enveloped', 1)).toEqual(['{"schema":null,"payload":{"n":0,"task":0}}']);
    await herder.putConnectorConfig(
      'routed',
      source(1, {
        ...plain,
        topic: 'routed-in',
        transforms: 'route',
        'transforms.route.type': 'RegexRouter',
        'transforms.route.regex': 'routed-in',
        'transforms.route.replacement': 'routed',
      }),
    );
    // the value was not changed: its text stands
    expect(await valuesIn('routed', 1)).toEqual(['{"n":0,"task":0}']);
    // InsertField appends to the text; a transformation that changes the value drops it
    await herder.putConnectorConfig(
      'inserted',
      source(1, {
        ...plain,
        topic: 'inserted',
        transforms: 'origin',
        'transforms.origin.type': 'InsertField$Value',
        'transforms.origin.static.field': 'origin',
        'transforms.origin.static.value': 'seq',
      }),
    );
    expect(await valuesIn('inserted', 1)).toEqual(['{"n":0,"task":0,"origin":"seq"}']);
    await herder.putConnectorConfig(
      'replaced',
      source(1, {
        ...plain,
        topic: 'replaced',
        transforms: 'drop',
        'transforms.drop.type': 'ReplaceField$Value',
        'transforms.drop.exclude': 'n',
      }),
    );
    expect(await valuesIn('replaced', 1)).toEqual(['{"task":0}']);
    await herder.putConnectorConfig(
      'strings',
      source(1, { 'value.json': 'true', topic: 'strings', 'value.converter': 'string' }),
    );
    expect(await valuesIn('strings', 1)).toEqual(['{"task":0,"n":0}']);
  });

  it("takes the worker's compression for connectors that set none, and a connector's own over it", async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')), {
      connectorDefaults: { 'producer.override.compression.type': 'gzip' },
    });
    await herder.putConnectorConfig('inherits', source(20, { topic: 'inherits' }));
    await herder.putConnectorConfig(
      'own',
      source(20, { topic: 'own', 'producer.override.compression.type': 'none' }),
    );
    const codec = async (topic: string) => {
      const batches = await batchesOnceHolding(log, topic, 20);
      return batches.readInt16BE(21) & 0x7;
    };
    expect(await codec('inherits')).toBe(1); // gzip
    expect(await codec('own')).toBe(0);
    // what a connector set is what it shows
    expect((await herder.connectorConfig('inherits'))['producer.override.compression.type']).toBeUndefined();
  });

  it('tells a source its records are durable while it waits in poll(), and calls commit() only once all it returned is', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('acks', source(60, { topic: 'acked', 'poll.waits.for.acks': 'true' }));
    await herder.putConnectorConfig('mem', sink('acked', { topics: 'acked' }));
    await eventually(
      () => MemorySink.received.get('acked') ?? [],
      (r) => r.length >= 60,
    );
    // a poll that waited in vain means the runtime held back commitRecord until poll() returned
    expect(AckProbe.stalls.get('acked') ?? 0).toBe(0);
    expect(AckProbe.earlyCommits.get('acked') ?? 0).toBe(0);
  });

  it('spreads a poll over a topic of several partitions by key, in order within each key', async () => {
    const { log, herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig(
      'keyed',
      source(3000, {
        topic: 'keyed',
        batch: '3000',
        keys: '7',
        'topic.creation.default.partitions': '4',
      }),
    );
    await herder.putConnectorConfig('mem', sink('keyed', { topics: 'keyed' }));
    const received = await eventually(
      () => MemorySink.received.get('keyed') ?? [],
      (r) => r.length >= 3000,
    );
    const partitions = (await log.admin().describeTopic('keyed')).partitions;
    expect(partitions.filter((p) => p.endOffset > 0).length).toBeGreaterThan(1);
    const byKey = new Map<string, { partition: number; n: number[] }>();
    for (const r of received) {
      const key = String(r.key);
      const seen = byKey.get(key) ?? { partition: r.kafkaPartition, n: [] };
      expect(r.kafkaPartition).toBe(seen.partition);
      seen.n.push((r.value as { n: number }).n);
      byKey.set(key, seen);
    }
    expect(byKey.size).toBe(7);
    for (const [key, { n }] of byKey) {
      const k = Number(key.slice(1));
      expect(n).toEqual(
        Array.from({ length: Math.floor(3000 / 7) + (k < 3000 % 7 ? 1 : 0) }, (_, i) => k + 7 * i),
      );
    }
  });

  it('answers the ingest requests a source took before a pause, and refuses later ones', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('hooks', { 'connector.class': 'ingress-source', topic: 'hooks' });
    await eventually(
      () => herder.connectorStatus('hooks'),
      (s) => states(s) === 'RUNNING,RUNNING',
    );
    const request = (body: string): Parameters<typeof herder.ingest>[1] => ({
      method: 'POST',
      path: '',
      headers: {},
      body: Buffer.from(body),
      remoteAddress: '127.0.0.1',
    });
    // a poll took nothing and waits to return it: the request comes after its take, then the pause
    await IngressGate.close();
    const answer = herder.ingest('hooks', request('taken'));
    await herder.pauseConnector('hooks');
    await eventually(
      () => herder.connectorStatus('hooks'),
      (s) => states(s) === 'PAUSED,PAUSED',
    );
    IngressGate.open();
    const timeout = new Promise((resolve) => setTimeout(() => resolve('no answer'), 3_000));
    expect(await Promise.race([answer, timeout])).toEqual({ status: 200, body: { stored: true } });
    expect(await herder.ingest('hooks', request('late'))).toMatchObject({ status: 503 });
    const values = await valuesOnceHolding(log, 'hooks', 1);
    expect(values).toHaveLength(1);
    expect(values[0]).toContain('taken');
  });

  it('moves on from a task that does not stop within the shutdown timeout', async () => {
    const w = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')), {
      taskShutdownTimeoutMs: 200,
    });
    await w.herder.putConnectorConfig('stuck', source(5, { topic: 'stuck', 'stop.hangs': 'true' }));
    await eventually(
      () => w.herder.connectorStatus('stuck'),
      (s) => states(s) === 'RUNNING,RUNNING',
    );
    const started = Date.now();
    await w.herder.deleteConnector('stuck');
    await stopWorker(w);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('brings connectors back in their last state after a restart and resumes from committed offsets', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herder-'));
    let w = await startWorker(dir);
    await w.herder.putConnectorConfig('seq', source(30));
    await w.herder.putConnectorConfig('mem', sink('resume'));
    await eventually(
      () => MemorySink.received.get('resume') ?? [],
      (r) => r.length >= 30,
    );
    await w.herder.pauseConnector('mem');
    await stopWorker(w);

    w = await startWorker(dir);
    expect(await w.herder.connectors()).toEqual(['mem', 'seq']);
    const paused = await eventually(
      () => w.herder.connectorStatus('mem'),
      (s) => states(s) === 'PAUSED,PAUSED',
    );
    expect(paused.connector.state).toBe('PAUSED');
    await w.herder.putConnectorConfig('seq', source(50));
    await w.herder.resumeConnector('mem');
    const all = await eventually(
      () => MemorySink.received.get('resume') ?? [],
      (r) => r.length >= 50,
    );
    await new Promise((r) => setTimeout(r, 200));
    // nothing lost, nothing doubled: the source resumed after its committed offset, the sink after its commits
    expect((MemorySink.received.get('resume') ?? []).map((r) => (r.value as { n: number }).n)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(all.length).toBe(50);
  });

  it('resumes after records written past the last offset commit, so a crash never doubles them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herder-'));
    let w = await startWorker(dir);
    await w.herder.putConnectorConfig('seq', source(10, { topic: 'eos' }));
    await eventually(
      () => w.log.storage.offsets('eos', 0),
      (o) => o.endOffset === 10,
    );
    await stopWorker(w);
    // what a crash leaves: records 10..14 durable in the log, their offsets never committed
    const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0, logger: silent });
    const mark = JSON.stringify({ c: 'seq', t: 0, p: { task: 0 }, o: { next: 15 } });
    await log.producer().send({
      topic: 'eos',
      records: [10, 11, 12, 13, 14].map((n) => ({
        key: JSON.stringify({ schema: null, payload: 't0' }),
        value: JSON.stringify({ schema: null, payload: { task: 0, n } }),
        headers: n === 14 ? [{ key: '__sluice.source.offset', value: mark }] : [],
      })),
    });
    await log.close();

    w = await startWorker(dir);
    await w.herder.putConnectorConfig('seq', source(20, { topic: 'eos' }));
    await w.herder.putConnectorConfig('mem', sink('eos', { topics: 'eos' }));
    const received = await eventually(
      () => MemorySink.received.get('eos') ?? [],
      (r) => r.length >= 20,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(received.map((r) => (r.value as { n: number }).n)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(received.every((r) => r.headers.every((h) => !h.key.startsWith('__sluice.')))).toBe(true);
  });

  it('refuses an invalid config with every field error and leaves the running connector untouched', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('seq', source(5));
    await expect(
      herder.putConnectorConfig('seq', {
        'connector.class': 'sequence-source',
        count: 'many',
        'tasks.max': '0',
        'errors.tolerance': 'some',
      }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      fieldErrors: expect.arrayContaining([
        expect.objectContaining({ field: 'topic' }),
        expect.objectContaining({ field: 'count' }),
        expect.objectContaining({ field: 'tasks.max' }),
        expect.objectContaining({ field: 'errors.tolerance' }),
      ]),
    });
    expect((await herder.connectorConfig('seq'))['count']).toBe('5');
    await expect(herder.putConnectorConfig('x', { 'connector.class': 'nope' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining(
        'available connectors are: ingress-source, memory-sink, sequence-source',
      ),
    });
    await expect(herder.connectorStatus('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('leaves a connector declared in a file to that file: updates and deletes without it are refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herder-'));
    const connectorsDir = path.join(dir, 'connectors');
    fs.mkdirSync(connectorsDir);
    const file = path.join(connectorsDir, 'seq.yaml');
    fs.writeFileSync(file, 'name: seq\n');
    const { herder } = await startWorker(dir, { connectorsDir });
    await herder.putConnectorConfig('seq', source(5), file);

    const declared = { code: 'CONFLICT', message: expect.stringContaining(`declared in ${file}`) };
    await expect(herder.putConnectorConfig('seq', source(6))).rejects.toMatchObject(declared);
    await expect(herder.patchConnectorConfig('seq', { count: '7' })).rejects.toMatchObject(declared);
    await expect(herder.deleteConnector('seq')).rejects.toMatchObject(declared);
    expect((await herder.connectorConfig('seq'))['count']).toBe('5');
    // the file's own config sent back changes nothing, and is no conflict
    expect(await herder.putConnectorConfig('seq', source(5))).toMatchObject({ created: false });
    await herder.pauseConnector('seq');

    // the file's own changes go through, and so does anything once the file is gone
    await herder.putConnectorConfig('seq', source(8), file);
    expect((await herder.connectorConfig('seq'))['count']).toBe('8');
    fs.rmSync(file);
    await herder.patchConnectorConfig('seq', { count: '9' });
    expect((await herder.connectorConfig('seq'))['count']).toBe('9');
    // the reconciler's late delete for the removed file leaves the connector REST now owns
    await herder.deleteConnector('seq', file);
    expect(await herder.connectors()).toEqual(['seq']);
    await herder.deleteConnector('seq');
    expect(await herder.connectors()).toEqual([]);

    // a file of a folder no reconciler reads (connectors.dir changed) holds nothing
    const elsewhere = path.join(dir, 'old.yaml');
    fs.writeFileSync(elsewhere, 'name: old\n');
    await herder.putConnectorConfig('old', source(5), elsewhere);
    await herder.patchConnectorConfig('old', { count: '6' });
    await herder.deleteConnector('old');
    expect(await herder.connectors()).toEqual([]);
  });

  it('retries a poll that throws a RetriableError without limit, the task staying RUNNING', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    // errors.retry.timeout is 0 (the default): it bounds conversion retries, not a source's polls
    await herder.putConnectorConfig(
      'flaky',
      source(10, { topic: 'flaky', 'poll.retriable.failures': '4', 'errors.retry.delay.max.ms': '50' }),
    );
    await herder.putConnectorConfig('mem', sink('flaky', { topics: 'flaky' }));
    const received = await eventually(
      () => MemorySink.received.get('flaky') ?? [],
      (r) => r.length >= 10,
    );
    expect(received.map((r) => (r.value as { n: number }).n)).toEqual(
      Array.from({ length: 10 }, (_, i) => i),
    );
    expect(states(await herder.connectorStatus('flaky'))).toBe('RUNNING,RUNNING');
  });

  it('steps over a record the source cannot read (a DataError from poll) under errors.tolerance=all, and fails without', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig(
      'lenient',
      source(10, { topic: 'lenient', 'unreadable.at': '4', 'errors.tolerance': 'all' }),
    );
    await herder.putConnectorConfig('mem', sink('lenient', { topics: 'lenient' }));
    const received = await eventually(
      () => MemorySink.received.get('lenient') ?? [],
      (r) => r.length >= 9,
    );
    expect(received.map((r) => (r.value as { n: number }).n)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect(states(await herder.connectorStatus('lenient'))).toBe('RUNNING,RUNNING');
    const metrics = await herder.metrics.registry.getSingleMetricAsString('sluice_task_record_errors_total');
    expect(metrics).toContain('connector="lenient",task="0",stage="TASK_POLL"} 1');

    await herder.putConnectorConfig('strict', source(10, { topic: 'strict', 'unreadable.at': '4' }));
    const failed = await eventually(
      () => herder.connectorStatus('strict'),
      (s) => s.tasks[0]?.state === 'FAILED',
    );
    expect(failed.tasks[0]!.trace).toContain('sequence number 4 is unreadable');
  });

  it('fails a topics.regex sink whose topics cannot be listed at start, instead of hanging its start', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    const admin = log.admin.bind(log);
    log.admin = () => {
      const real = admin();
      return Object.assign(Object.create(real) as typeof real, {
        listTopics: () => Promise.reject(new Error('the log cannot list its topics')),
      });
    };
    await herder.putConnectorConfig('mem', sink('rx-broken', { topics: '', 'topics.regex': 'rx\\.[a-z]' }));
    const status = await eventually(
      () => herder.connectorStatus('mem'),
      (s) => s.tasks[0]?.state === 'FAILED',
    );
    expect(status.tasks[0]!.trace).toContain('the log cannot list its topics');
  });

  it('takes topics created after a topics.regex sink started, whose whole name matches', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('a', source(3, { topic: 'rx.a' }));
    // the pattern is found in these names but does not match them whole, as Kafka requires
    await herder.putConnectorConfig('n', source(2, { topic: 'not.rx.a' }));
    await herder.putConnectorConfig('mem', sink('rx', { topics: '', 'topics.regex': 'rx\\.[a-z]' }));
    await eventually(
      () => MemorySink.received.get('rx') ?? [],
      (r) => r.length >= 3,
    );
    await herder.putConnectorConfig('b', source(2, { topic: 'rx.b' }));
    await herder.putConnectorConfig('d', source(2, { topic: 'rx.b-dlq' }));
    const received = await eventually(
      () => MemorySink.received.get('rx') ?? [],
      (r) => r.length >= 5,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(received.map((r) => r.topic).sort()).toEqual(['rx.a', 'rx.a', 'rx.a', 'rx.b', 'rx.b']);
    expect((await herder.connectorTopics('mem')).sort()).toEqual(['rx.a', 'rx.b']);
  });

  it('refuses a record its topic cannot hold before writing any of its batch: skipped under errors.tolerance=all', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    for (const name of ['tight', 'tight-strict'])
      await log.admin().createTopic({ name, partitions: 1, config: { 'max.message.bytes': 1024 } });
    const padded = { 'pad.at': '4', 'pad.bytes': '2000' };
    // polls of 50 records, more than 1024 bytes together: they go out in batches that fit
    await herder.putConnectorConfig(
      'lenient',
      source(100, { topic: 'tight', batch: '50', ...padded, 'errors.tolerance': 'all' }),
    );
    await herder.putConnectorConfig('mem', sink('tight', { topics: 'tight' }));
    const received = await eventually(
      () => MemorySink.received.get('tight') ?? [],
      (r) => r.length >= 99,
    );
    expect(received.map((r) => (r.value as { n: number }).n)).toEqual(
      Array.from({ length: 100 }, (_, n) => n).filter((n) => n !== 4),
    );
    expect(states(await herder.connectorStatus('lenient'))).toBe('RUNNING,RUNNING');

    // without tolerance the task fails, and nothing of the batch (0 to 4) is in the log, however often it restarts
    await herder.putConnectorConfig('strict', source(10, { topic: 'tight-strict', ...padded }));
    for (let attempt = 0; attempt < 2; attempt++) {
      const failed = await eventually(
        () => herder.connectorStatus('strict'),
        (s) => s.tasks[0]?.state === 'FAILED',
      );
      expect(failed.tasks[0]!.trace).toContain('does not fit max.message.bytes 1024 of topic tight-strict');
      await herder.restartConnector('strict', { includeTasks: true, onlyFailed: true });
    }
    const [partition] = (await log.admin().describeTopic('tight-strict')).partitions;
    expect(partition!.endOffset).toBe(0);
  });

  it('shows a restart whose config no longer resolves as FAILED with the reason, not RESTARTING', async () => {
    let gone = false;
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')), {
      resolver: {
        resolve: async (config) => {
          if (gone && Object.values(config).some((v) => v.includes('${file:')))
            throw new Error('config providers: ${file:/secrets/f.properties:fmt} cannot be resolved');
          return { ...config };
        },
        hasReferences: (v) => v.includes('${'),
      },
    });
    await herder.putConnectorConfig('fragile', source(5, { note: '${file:/secrets/f.properties:fmt}' }));
    gone = true;
    await herder.restartConnector('fragile', { includeTasks: true, onlyFailed: false });
    const failed = await eventually(
      () => herder.connectorStatus('fragile'),
      (s) => s.connector.state === 'FAILED' && s.tasks[0]?.state === 'FAILED',
    );
    expect(failed.connector.trace).toContain('cannot be resolved');
    // FAILED means stopped: nothing of it runs on the old config
    const worker = (herder as unknown as { worker: { taskIds(connector: string): number[] } }).worker;
    expect(worker.taskIds('fragile')).toEqual([]);
    await expect(herder.restartTask('fragile', 0)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses connector names that are blank or hold control characters, as Kafka Connect does', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    for (const name of [' ', '', 'tab\there', 'bell\u0007'])
      await expect(herder.putConnectorConfig(name, source(1))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(herder.createConnector('  ', source(1))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Connector name cannot be empty',
    });
    expect(await herder.connectors()).toEqual([]);
  });

  it('applies concurrent PATCHes of a config each over the other, losing none', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('patched', source(5));
    await Promise.all([
      herder.patchConnectorConfig('patched', { 'errors.log.enable': 'true' }),
      herder.patchConnectorConfig('patched', { 'errors.retry.delay.max.ms': '100' }),
      herder.patchConnectorConfig('patched', { 'offset.flush.interval.ms': null }),
    ]);
    const config = await herder.connectorConfig('patched');
    expect(config).toMatchObject({ 'errors.log.enable': 'true', 'errors.retry.delay.max.ms': '100' });
    expect(config).not.toHaveProperty('offset.flush.interval.ms');
  });

  it('shows config provider references, never their values, in validation answers and errors', async () => {
    const secrets: Record<string, string> = { COUNT: 'topsecretvalue123', TOPIC: 'private-topic' };
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')), {
      resolver: {
        resolve: async (config, onValue) =>
          Object.fromEntries(
            Object.entries(config).map(([k, v]) => {
              const m = /^\$\{env:(\w+)\}$/.exec(v);
              if (!m) return [k, v];
              onValue?.(v, secrets[m[1]!]!);
              return [k, secrets[m[1]!]!];
            }),
          ),
        hasReferences: (v) => v.includes('${'),
      },
    });
    const config = source(5, { count: '${env:COUNT}', topic: '${env:TOPIC}' });
    const infos = await herder.validateConnectorConfig('sequence-source', config);
    const answered = JSON.stringify(infos);
    expect(answered).not.toContain('topsecretvalue123');
    expect(answered).not.toContain('private-topic');
    const count = infos.configs.find((c) => c.value.name === 'count')!.value;
    expect(count.value).toBe('${env:COUNT}');
    expect(count.errors).toEqual([expect.stringContaining('"${env:COUNT}"')]);
    const refused = await herder.putConnectorConfig('leaky', config).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(JSON.stringify({ message: (refused as Error).message, ...(refused as object) })).not.toContain(
      'topsecretvalue123',
    );
    expect((refused as Error).message).toContain('${env:COUNT}');
  });

  it("refuses records for the runtime's internal topics: the task fails, or skips them under errors.tolerance=all", async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('sneaky', source(5, { topic: '__sluice.configs' }));
    const failed = await eventually(
      () => herder.connectorStatus('sneaky'),
      (s) => s.tasks[0]?.state === 'FAILED',
    );
    expect(failed.tasks[0]!.trace).toContain('topic __sluice.configs is internal to Sluice');
    await herder.putConnectorConfig(
      'skipping',
      source(3, { topic: '__sluice.status', 'errors.tolerance': 'all' }),
    );
    // its records are skipped, not retried: it carries on
    await new Promise((r) => setTimeout(r, 300));
    expect(states(await herder.connectorStatus('skipping'))).toBe('RUNNING,RUNNING');
    // a topic of a connector's own that starts with __ is written as any other
    await herder.putConnectorConfig('beats', source(3, { topic: '__debezium-heartbeat.pg' }));
    await herder.putConnectorConfig('beats-sink', sink('beats', { topics: '__debezium-heartbeat.pg' }));
    await eventually(
      () => MemorySink.received.get('beats') ?? [],
      (r) => r.length >= 3,
    );
  });

  it('fails the tasks of a sink config stored before the internal-topic check that reads or dead-letters to one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herder-'));
    const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0, logger: silent });
    const store = new ConfigStore(log);
    await store.open();
    // as an older version stored them, unchecked
    await store.putConfig('reader', sink('reader', { name: 'reader', topics: 'orders,__sluice.configs' }));
    await store.putConfig(
      'dead-letters',
      sink('dead-letters', {
        name: 'dead-letters',
        topics: 'orders',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': '__sluice.status',
      }),
    );
    await log.close();
    const { herder } = await startWorker(dir);
    for (const [name, topic] of [
      ['reader', '__sluice.configs'],
      ['dead-letters', '__sluice.status'],
    ] as const) {
      const failed = await eventually(
        () => herder.connectorStatus(name),
        (s) => s.tasks[0]?.state === 'FAILED',
      );
      expect(failed.tasks[0]!.trace).toContain(`${topic} is internal to Sluice`);
    }
  });

  it('takes no change once it is stopping: 503, nothing stored or started behind the stop', async () => {
    const w = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await w.herder.putConnectorConfig('before', source(3, { topic: 'before' }));
    const stopping = w.herder.stop();
    const late = await w.herder
      .putConnectorConfig('late', source(3, { topic: 'late' }))
      .catch((err: unknown) => err as HerderError);
    await stopping;
    expect(late).toBeInstanceOf(HerderError);
    expect((late as HerderError).httpStatus).toBe(503);
    expect(await w.herder.connectors()).toEqual(['before']);
  });

  it('shows a failed task as FAILED with its trace, and restarts it on request', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('bad', source(20, { 'fail.at': '7', topic: 'bad' }));
    const failed = await eventually(
      () => herder.connectorStatus('bad'),
      (s) => s.tasks[0]?.state === 'FAILED',
    );
    expect(failed.tasks[0]!.trace).toContain('sequence source failed at 7');
    expect(failed.connector.state).toBe('RUNNING');
    const plan = await herder.restartConnector('bad', { includeTasks: true, onlyFailed: true });
    expect(plan.tasks[0]!.state).toBe('RESTARTING');
    expect(plan.connector.state).toBe('RUNNING');
    await eventually(
      () => herder.connectorStatus('bad'),
      (s) => s.tasks[0]?.state === 'FAILED',
    );
  });

  it('restarts a failed task by itself with errors.restart.enable, then carries on', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig(
      'flaky',
      source(20, {
        topic: 'flaky',
        'fail.at': '7',
        'fail.times': '2',
        'errors.restart.enable': 'true',
        'errors.restart.backoff.ms': '20',
      }),
    );
    await eventually(
      () => log.storage.offsets('flaky', 0),
      (o) => o.endOffset === 20,
    );
    const status = await eventually(
      () => herder.connectorStatus('flaky'),
      (s) => s.tasks[0]?.state === 'RUNNING',
    );
    expect(status.tasks[0]!.state).toBe('RUNNING');
  });

  it('leaves a task FAILED after errors.restart.max.attempts automatic restarts', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig(
      'broken',
      source(20, {
        topic: 'broken',
        'fail.at': '3',
        'errors.restart.enable': 'true',
        'errors.restart.backoff.ms': '10',
        'errors.restart.max.attempts': '2',
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const status = await herder.connectorStatus('broken');
    expect(status.tasks[0]!.state).toBe('FAILED');
    expect(status.tasks[0]!.trace).toContain('failed at 3');
  });

  it('stops a connector (no tasks), resets its offsets, and starts over from the beginning', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('seq', source(10, { topic: 'again' }));
    await eventually(
      () => herder.connectorOffsets('seq'),
      (o) => o.length === 1 && o[0]!.offset?.['next'] === 10,
    );
    await expect(herder.resetConnectorOffsets('seq')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await herder.stopConnector('seq');
    expect(await herder.connectorStatus('seq')).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
    await herder.alterConnectorOffsets('seq', [{ partition: { task: 0 }, offset: { next: 8 } }]);
    expect(await herder.connectorOffsets('seq')).toEqual([{ partition: { task: 0 }, offset: { next: 8 } }]);
    await herder.resumeConnector('seq');
    await eventually(
      () => herder.connectorOffsets('seq'),
      (o) => o[0]?.offset?.['next'] === 10,
    );
    const { endOffset } = await running[0]!.log.storage.offsets('again', 0);
    expect(endOffset).toBe(12);
  });

  it('asks a sink connector to alter the offsets it keeps itself, and changes nothing when it refuses', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('seq', source(10, { topic: 'kept' }));
    await herder.putConnectorConfig('mem', sink('kept', { topics: 'kept' }));
    await eventually(
      () => herder.connectorOffsets('mem'),
      (o) => o[0]?.offset?.['kafka_offset'] === 10,
    );
    await herder.stopConnector('mem');
    const at = (offset: number | null) => [
      {
        partition: { kafka_topic: 'kept', kafka_partition: 0 },
        offset: offset === null ? null : { kafka_offset: offset },
      },
    ];

    expect(await herder.alterConnectorOffsets('mem', at(4))).toBe(true);
    expect(MemorySink.alteredOffsets.get('kept')).toEqual([[{ topic: 'kept', partition: 0, offset: 4 }]]);
    expect(await log.coordinator.fetchOffsets('connect-mem')).toEqual([
      expect.objectContaining({ offset: 4 }),
    ]);

    await expect(herder.alterConnectorOffsets('mem', at(13))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'memory sink cannot resume at 13',
    });
    // offsets the log would refuse never reach the connector, which might have acted on the others
    await expect(
      herder.alterConnectorOffsets('mem', [
        ...at(2),
        { partition: { kafka_topic: 'kept', kafka_partition: -1 }, offset: { kafka_offset: 1 } },
        { partition: { kafka_topic: 'bad topic', kafka_partition: 0 }, offset: { kafka_offset: 2 ** 60 } },
      ]),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(
        /offsets\[1\]: kafka_partition must be an integer from 0 up, not -1; offsets\[2\]: "bad topic" is not a valid topic name.*; offsets\[2\]: kafka_offset must be an integer from 0 up to 2\^53 - 1/,
      ),
    });
    expect(MemorySink.alteredOffsets.get('kept')).toHaveLength(1);
    expect(await log.coordinator.fetchOffsets('connect-mem')).toEqual([
      expect.objectContaining({ offset: 4 }),
    ]);

    expect(await herder.resetConnectorOffsets('mem')).toBe(true);
    expect(MemorySink.alteredOffsets.get('kept')![1]).toEqual([
      { topic: 'kept', partition: 0, offset: null },
    ]);
    expect(await log.coordinator.fetchOffsets('connect-mem')).toEqual([]);
    // with no group offsets (as after the topic was deleted and created again), a reset still
    // reaches the offsets the connector keeps for the partitions of its topics
    await log.admin().createTopic({ name: 'two', partitions: 2 });
    await herder.createConnector('mem2', sink('kept', { topics: 'two' }), 'STOPPED');
    expect(await herder.resetConnectorOffsets('mem2')).toBe(true);
    expect(MemorySink.alteredOffsets.get('kept')![2]).toEqual([
      { topic: 'two', partition: 0, offset: null },
      { topic: 'two', partition: 1, offset: null },
    ]);
  });

  it('rewinds to the offsets a sink asks for in open() before fetching: no record from before them reaches put()', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('seq', source(10, { topic: 'rewound' }));
    // all written first: a seek past the end would fall back to the earliest offset
    await eventually(
      () => log.storage.offsets('rewound', 0),
      (o) => o.endOffset === 10,
    );
    await herder.putConnectorConfig('mem', sink('rewound', { topics: 'rewound', 'open.seek': '6' }));
    const received = await eventually(
      () => MemorySink.received.get('rewound') ?? [],
      (r) => r.length >= 4,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(received.map((r) => r.kafkaOffset)).toEqual([6, 7, 8, 9]);
  });

  it("keeps a sink's task running through its topic being deleted, and takes the topic made again from its start", async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    const produce = (values: number[]) =>
      log.producer().send({
        topic: 'doomed',
        records: values.map((n) => ({
          value: Buffer.from(JSON.stringify({ schema: null, payload: { n } })),
        })),
      });
    await log.admin().createTopic({ name: 'doomed' });
    await produce([1, 2, 3]);
    await herder.putConnectorConfig('mem', sink('doomed', { topics: 'doomed' }));
    await eventually(
      () => MemorySink.received.get('doomed') ?? [],
      (r) => r.length === 3,
    );
    await log.admin().deleteTopic('doomed');
    await new Promise((r) => setTimeout(r, 500));
    expect(states(await herder.connectorStatus('mem'))).toBe('RUNNING,RUNNING');
    await log.admin().createTopic({ name: 'doomed' });
    await produce([10, 20, 30, 40]);
    const received = await eventually(
      () => MemorySink.received.get('doomed') ?? [],
      (r) => r.length >= 7,
    );
    expect(received.map((r) => (r.value as { n: number }).n)).toEqual([1, 2, 3, 10, 20, 30, 40]);
    expect(states(await herder.connectorStatus('mem'))).toBe('RUNNING,RUNNING');
  });

  it('sends records a sink reports as errant to the dead letter queue with context headers', async () => {
    const w = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await w.herder.putConnectorConfig('seq', source(10, { topic: 'dlq-in' }));
    await w.herder.putConnectorConfig(
      'mem',
      sink('dlq', {
        topics: 'dlq-in',
        'errant.n': '4',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'dead',
        'errors.deadletterqueue.context.headers.enable': 'true',
      }),
    );
    await eventually(
      () => MemorySink.received.get('dlq') ?? [],
      (r) => r.length >= 9,
    );
    const consumer = w.log.consumer({ autoOffsetReset: 'earliest' });
    await eventually(
      async () => w.log.storage.partitionCount('dead'),
      (n) => n === 1,
    );
    consumer.assign([{ topic: 'dead', partition: 0 }]);
    const polled = await eventually(
      () => consumer.poll({ timeoutMs: 100 }),
      (p) => p.length > 0,
    );
    const record = polled[0]!.records[0]!;
    expect(
      JSON.parse(record.value!.toString()).payload ?? JSON.parse(record.value!.toString()),
    ).toMatchObject({ n: 4 });
    const headers = Object.fromEntries(record.headers.map((h) => [h.key, h.value?.toString()]));
    expect(headers).toMatchObject({
      '__connect.errors.topic': 'dlq-in',
      '__connect.errors.connector.name': 'mem',
      '__connect.errors.stage': 'TASK_PUT',
      '__connect.errors.exception.message': 'record n=4 refused',
    });
    // the source's offset marks in the log are the runtime's, not the record's
    expect(Object.keys(headers).filter((k) => k.startsWith('__sluice.'))).toEqual([]);
    await consumer.close();
  });

  it('retries a put that fails with a RetriableError with the same records, without limit', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('seq', source(10, { topic: 'put-retry' }));
    // errors.retry.timeout is 0 (the default): it bounds conversion retries, not a sink's puts
    await herder.putConnectorConfig(
      'mem',
      sink('put-retry', {
        topics: 'put-retry',
        'put.failure': 'retriable',
        'put.failures': '4',
        'errors.retry.delay.max.ms': '50',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'put-retry-dead',
      }),
    );
    const received = await eventually(
      () => MemorySink.received.get('put-retry') ?? [],
      (r) => r.length >= 10,
    );
    expect(received.map((r) => (r.value as { n: number }).n)).toEqual(
      Array.from({ length: 10 }, (_, i) => i),
    );
    expect(MemorySink.failedPuts.get('put-retry')).toBe(4);
    expect(states(await herder.connectorStatus('mem'))).toBe('RUNNING,RUNNING');
    expect(await log.admin().listTopics()).not.toContain('put-retry-dead');
  });

  it('rejoins its group after a put outlasted max.poll.interval.ms, instead of failing on the refused commit', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await herder.putConnectorConfig('seq', source(10, { topic: 'slow-put' }));
    // retries of put() keep the task from polling for some 4 s: past the 300 ms allowed, and past
    // a heartbeat (every 3 s), which is when the member finds it is out
    await herder.putConnectorConfig(
      'mem',
      sink('slow-put', {
        topics: 'slow-put',
        'put.failure': 'retriable',
        'put.failures': '10',
        'errors.retry.delay.max.ms': '500',
        'consumer.override.max.poll.interval.ms': '300',
      }),
    );
    const received = await eventually(
      () => MemorySink.received.get('slow-put') ?? [],
      (r) => r.length >= 10,
    );
    expect(new Set(received.map((r) => (r.value as { n: number }).n))).toEqual(
      new Set(Array.from({ length: 10 }, (_, i) => i)),
    );
    // a commit after the rejoin
    await new Promise((r) => setTimeout(r, 500));
    expect(states(await herder.connectorStatus('mem'))).toBe('RUNNING,RUNNING');
  });

  it('fails the task, and sends nothing to the dead letter queue, when put fails with other than a DataError', async () => {
    const w = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await w.herder.putConnectorConfig('seq', source(10, { topic: 'put-fatal' }));
    await w.herder.putConnectorConfig(
      'mem',
      sink('put-fatal', {
        topics: 'put-fatal',
        'put.failure': 'fatal',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'put-fatal-dead',
      }),
    );
    const failed = await eventually(
      () => w.herder.connectorStatus('mem'),
      (s) => s.tasks[0]?.state === 'FAILED',
    );
    expect(failed.tasks[0]!.trace).toContain('memory sink target is gone');
    expect(await w.log.admin().listTopics()).not.toContain('put-fatal-dead');
  });

  it('sends the batch of a put that fails with a DataError to the dead letter queue under errors.tolerance=all', async () => {
    const w = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await w.herder.putConnectorConfig('seq', source(10, { topic: 'put-data' }));
    await w.herder.putConnectorConfig(
      'mem',
      sink('put-data', {
        topics: 'put-data',
        'put.failure': 'data',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'put-data-dead',
      }),
    );
    const dead = await eventually(
      () => w.log.admin().describeTopic('put-data-dead'),
      (t) => t.partitions[0]!.endOffset >= 10,
    );
    expect(dead.partitions[0]!.endOffset).toBe(10);
    expect(states(await w.herder.connectorStatus('mem'))).toBe('RUNNING,RUNNING');
    expect(MemorySink.received.get('put-data') ?? []).toEqual([]);
  });

  it('sends records reported after put() returned to the dead letter queue as they were consumed', async () => {
    const w = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await w.herder.putConnectorConfig('seq', source(10, { topic: 'late-in' }));
    await w.herder.putConnectorConfig(
      'mem',
      sink('late', {
        topics: 'late-in',
        'errant.n': '6',
        'errant.on.flush': 'true',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'late-dead',
        'errors.deadletterqueue.context.headers.enable': 'true',
        // the sink gets the value with a field more: the DLQ gets the bytes that were consumed
        transforms: 'tag',
        'transforms.tag.type': 'InsertField$Value',
        'transforms.tag.static.field': 'via',
        'transforms.tag.static.value': 'sink',
      }),
    );
    await eventually(
      async () => w.log.storage.partitionCount('late-dead'),
      (n) => n === 1,
    );
    const consumer = w.log.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: 'late-dead', partition: 0 }]);
    const polled = await eventually(
      () => consumer.poll({ timeoutMs: 100 }),
      (p) => p.length > 0,
    );
    const record = polled[0]!.records[0]!;
    expect(JSON.parse(record.value!.toString())).toMatchObject({ payload: { n: 6, task: 0 } });
    expect(JSON.parse(record.value!.toString()).payload).not.toHaveProperty('via');
    const headers = Object.fromEntries(record.headers.map((h) => [h.key, h.value?.toString()]));
    expect(headers).toMatchObject({
      '__connect.errors.topic': 'late-in',
      '__connect.errors.offset': '6',
      '__connect.errors.exception.message': 'record n=6 refused later',
    });
    await consumer.close();
  });

  it("takes Kafka Connect's consumer.override.max.poll.records for the size of put() batches", async () => {
    const w = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await w.herder.putConnectorConfig('seq', source(40, { topic: 'small-puts', batch: '40' }));
    await w.herder.putConnectorConfig(
      'mem',
      sink('small-puts', { topics: 'small-puts', 'consumer.override.max.poll.records': '7' }),
    );
    await eventually(
      () => MemorySink.received.get('small-puts') ?? [],
      (r) => r.length === 40,
    );
    const sizes = MemorySink.putSizes.get('small-puts')!;
    expect(Math.max(...sizes)).toBe(7);
    await expect(
      w.herder.putConnectorConfig('mem', sink('small-puts', { 'consumer.override.max.poll.records': '0' })),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('shows task progress in the status and /metrics, and hands signals to the running tasks', async () => {
    const w = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'herder-')));
    await w.herder.putConnectorConfig('seq', source(1_000_000_000, { topic: 'long', batch: '1' }));
    await w.herder.putConnectorConfig('mem', sink('signals', { topics: 'long' }));
    const status = await eventually(
      () => w.herder.connectorStatus('seq'),
      (s) => (s.tasks[0]?.progress?.items[0]?.done ?? 0) > 0,
    );
    expect(status.tasks[0]!.progress).toMatchObject({
      phase: 'sequence',
      items: [{ name: 'long', total: 1_000_000_000 }],
    });
    const metrics = await w.herder.metrics.registry.metrics();
    expect(metrics).toMatch(
      /sluice_task_progress_total\{connector="seq",task="0",phase="sequence",item="long"\} 1000000000/,
    );
    expect(metrics).toMatch(/sluice_connector_sequence_next\{topic="long",connector="seq",task="0"\} \d+/);

    await expect(
      w.herder.signalConnector('seq', { type: 'jump', data: { next: 'far' } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('jump') });
    await expect(w.herder.signalConnector('mem', { type: 'jump' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(w.herder.signalConnector('nope', { type: 'jump' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const sent = await w.herder.signalConnector('seq', {
      id: 'sig-1',
      type: 'jump',
      data: { next: 999_999_998 },
    });
    expect(sent).toEqual({ id: 'sig-1', tasks: [0] });
    await eventually(
      () => w.herder.connectorStatus('seq'),
      (s) => s.tasks[0]?.state === 'RUNNING' && s.tasks[0].progress === undefined,
    );

    expect(await w.herder.metrics.registry.metrics()).toMatch(
      /sluice_source_records_polled_total\{connector="seq",task="0"\} \d+/,
    );
    await w.herder.deleteConnector('seq');
    // no series of a deleted connector is left: progress, its own gauges, counters, histograms
    expect(await w.herder.metrics.registry.metrics()).not.toMatch(/connector="seq"/);
  });
});
