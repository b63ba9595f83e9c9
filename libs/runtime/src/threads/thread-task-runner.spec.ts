import { afterEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Log } from '@sluice/log';
import { pino } from 'pino';
import { CONVERTER_PLUGINS } from '../converters/index.js';
import { PREDICATE_PLUGINS } from '../predicates/index.js';
import { TRANSFORM_PLUGINS } from '../transforms/index.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { MemorySink, TEST_CONNECTOR_PLUGINS } from '../testing/test-connectors.js';
import { StandaloneHerder } from '../herder/standalone-herder.js';

const silent = pino({ level: 'silent' });
const testPlugins = pathToFileURL(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'test-plugins-module.ts'),
).href;
const running: { herder: StandaloneHerder; log: Log }[] = [];

afterEach(async () => {
  for (const w of running.splice(0)) {
    await w.herder.stop();
    await w.log.close();
  }
});

async function startWorker(dir: string): Promise<{ herder: StandaloneHerder; log: Log }> {
  const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0, logger: silent });
  const registry = new PluginRegistry();
  registry.register([
    ...TEST_CONNECTOR_PLUGINS,
    // known to the main thread only: its tasks can only run there
    {
      type: 'sink',
      name: 'main-thread-memory-sink',
      className: 'test.MainThreadMemorySink',
      version: '0.0.1',
      mainThread: true,
      create: () => new MemorySink(),
    },
    ...CONVERTER_PLUGINS,
    ...TRANSFORM_PLUGINS,
    ...PREDICATE_PLUGINS,
  ]);
  const herder = new StandaloneHerder({
    workerId: 'threads:8083',
    log,
    registry,
    logger: silent,
    taskThreads: 2,
    pluginModules: [testPlugins],
    logLevel: 'silent',
  });
  await herder.start();
  const w = { herder, log };
  running.push(w);
  return w;
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
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
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tasks in worker threads', () => {
  it('readies every task thread when the worker starts, before any connector asks for one', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'threads-')));
    expect(await herder.connectors()).toEqual([]);
    const threads = await eventually(
      () => herder.metrics.registry.getSingleMetricAsString('sluice_task_threads'),
      (text) => /^sluice_task_threads 2$/m.test(text),
    );
    expect(threads).toMatch(/^sluice_task_threads 2$/m);
  });

  it('sets the level of the loggers of tasks in threads, running and started later', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'threads-')));
    const debugGauge = (connector: string): Promise<string> =>
      herder.metrics.registry
        .getSingleMetricAsString('sluice_connector_sequence_logger_debug')
        .then((text) => text.split('\n').find((l) => l.includes(`connector="${connector}"`)) ?? '');
    await herder.putConnectorConfig('before', {
      'connector.class': 'sequence-source',
      topic: 'lv1',
      count: '0',
    });
    await eventually(
      () => debugGauge('before'),
      (line) => line.endsWith(' 0'),
    );
    herder.setTaskLogLevel('debug');
    await eventually(
      () => debugGauge('before'),
      (line) => line.endsWith(' 1'),
    );
    await herder.putConnectorConfig('after', {
      'connector.class': 'sequence-source',
      topic: 'lv2',
      count: '0',
    });
    expect(
      await eventually(
        () => debugGauge('after'),
        (line) => line.endsWith(' 1'),
      ),
    ).toMatch(/ 1$/);
  });

  it('runs a source and a sink in task threads against the main thread log, with statuses, offsets and metrics', async () => {
    const { herder, log } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'threads-')));
    await herder.putConnectorConfig('seq', {
      'connector.class': 'sequence-source',
      topic: 'threaded',
      count: '300',
      batch: '50',
      'offset.flush.interval.ms': '50',
    });
    await herder.putConnectorConfig('mem', {
      'connector.class': 'memory-sink',
      topics: 'threaded',
      bucket: 'threads',
      'offset.flush.interval.ms': '50',
    });
    await eventually(
      () => log.storage.offsets('threaded', 0),
      (o) => o.endOffset === 300,
    );
    await eventually(
      () => herder.connectorOffsets('mem'),
      (o) => o[0]?.offset?.['kafka_offset'] === 300,
    );
    await eventually(
      () => herder.connectorOffsets('seq'),
      (o) => o[0]?.offset?.['next'] === 300,
    );
    const status = await herder.connectorStatus('seq');
    expect(status.tasks[0]!.state).toBe('RUNNING');
    expect((await herder.connectorStatus('mem')).tasks[0]!.state).toBe('RUNNING');
    const metrics = await eventually(
      () => herder.metrics.registry.getSingleMetricAsString('sluice_source_records_written_total'),
      (m) => m.includes('connector="seq",task="0"} 300'),
    );
    expect(metrics).toContain('connector="seq",task="0"} 300');

    // paused in its thread, then resumed
    await herder.pauseConnector('seq');
    await eventually(
      () => herder.connectorStatus('seq'),
      (s) => s.tasks[0]?.state === 'PAUSED',
    );
    await herder.resumeConnector('seq');
    await eventually(
      () => herder.connectorStatus('seq'),
      (s) => s.tasks[0]?.state === 'RUNNING',
    );
  });

  it('resumes a source in a thread from its committed offsets after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threads-'));
    let w = await startWorker(dir);
    await w.herder.putConnectorConfig('seq', {
      'connector.class': 'sequence-source',
      topic: 'again',
      count: '40',
      'offset.flush.interval.ms': '50',
    });
    await eventually(
      () => w.log.storage.offsets('again', 0),
      (o) => o.endOffset === 40,
    );
    running.splice(running.indexOf(w), 1);
    await w.herder.stop();
    await w.log.close();
    w = await startWorker(dir);
    await w.herder.putConnectorConfig('seq', {
      'connector.class': 'sequence-source',
      topic: 'again',
      count: '60',
      'offset.flush.interval.ms': '50',
    });
    await eventually(
      () => w.log.storage.offsets('again', 0),
      (o) => o.endOffset === 60,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await w.log.storage.offsets('again', 0)).endOffset).toBe(60);
  });

  it('reports a task that fails in its thread as FAILED with the trace', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'threads-')));
    await herder.putConnectorConfig('bad', {
      'connector.class': 'sequence-source',
      topic: 'bad',
      count: '20',
      'fail.at': '5',
    });
    const failed = await eventually(
      () => herder.connectorStatus('bad'),
      (s) => s.tasks[0]?.state === 'FAILED',
    );
    expect(failed.tasks[0]!.trace).toContain('sequence source failed at 5');
  });

  it('carries progress, gauges and signals between a task thread and the herder', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'threads-')));
    await herder.putConnectorConfig('seq', {
      'connector.class': 'sequence-source',
      topic: 'signalled',
      count: '1000000000',
      batch: '1',
    });
    await eventually(
      () => herder.connectorStatus('seq'),
      (s) => (s.tasks[0]?.progress?.items[0]?.done ?? 0) > 0,
    );
    await eventually(
      () => herder.metrics.registry.metrics(),
      (m) => /sluice_connector_sequence_next\{topic="signalled",connector="seq",task="0"\} [1-9]/.test(m),
    );
    await expect(herder.signalConnector('seq', { type: 'other' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await herder.signalConnector('seq', { type: 'jump', data: { next: 999_999_999 } })).toMatchObject({
      tasks: [0],
    });
    await eventually(
      () => herder.connectorStatus('seq'),
      (s) => s.tasks[0]?.state === 'RUNNING' && s.tasks[0].progress === undefined,
    );
  });

  it('runs the tasks of mainThread plugins in the main thread beside task-thread ones', async () => {
    const { herder } = await startWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'threads-')));
    await herder.putConnectorConfig('seq', {
      'connector.class': 'sequence-source',
      topic: 'to-main',
      count: '50',
      batch: '10',
    });
    await herder.putConnectorConfig('main', {
      'connector.class': 'main-thread-memory-sink',
      topics: 'to-main',
      bucket: 'main-thread',
    });
    // MemorySink keeps records in this thread's memory: they show here only if the task runs here
    await eventually(
      async () => MemorySink.received.get('main-thread')?.length ?? 0,
      (n) => n === 50,
    );
    await herder.pauseConnector('main');
    await eventually(
      () => herder.connectorStatus('main'),
      (s) => s.tasks[0]?.state === 'PAUSED',
    );
    await herder.deleteConnector('main');
    expect((await herder.connectorStatus('seq')).tasks[0]!.state).toBe('RUNNING');
  });
});
