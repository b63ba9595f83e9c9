/**
 * A task thread: runs source and sink tasks for the worker in the main thread, which keeps the
 * log, the coordinator and the herder. Everything a task needs from those comes over the port.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ConnectorSignal, IngressHandler, IngressRequest, PluginDescriptor } from '@sluice/connect-api';
import { Log } from '@sluice/log';
import { pino, type Logger as PinoLogger } from 'pino';
import { CONVERTER_PLUGINS } from '../converters/index.js';
import { PREDICATE_PLUGINS } from '../predicates/index.js';
import { TRANSFORM_PLUGINS } from '../transforms/index.js';
import {
  findPluginModules,
  loadPluginModule,
  PluginRegistry,
  taskPluginNames,
  type PluginModuleRef,
} from '../plugins/plugin-registry.js';
import { createWorkerTask } from '../worker/task-factory.js';
import type { TaskId, WorkerTask } from '../worker/task-status.js';
import { reviveError } from './errors.js';
import { RemoteGroupCoordinator } from './remote-group-coordinator.js';
import { RemoteLogStorage } from './remote-log-storage.js';
import { RpcChannel, type SerializedError } from './rpc-channel.js';
import type { TaskStartSpec, TaskStateEvent, TaskThreadData } from './task-thread-protocol.js';
import { ThreadTaskMetrics } from './thread-task-metrics.js';
import { ThreadTaskOffsets } from './thread-task-offsets.js';

const data = workerData as TaskThreadData;
const logger = pino({ name: 'sluice', level: data.logLevel });
const tasks = new Map<string, { task: WorkerTask; metrics: ThreadTaskMetrics; logger: PinoLogger }>();
const key = (id: TaskId): string => `${id.connector}-${id.task}`;
const ingressHandlers = new Map<string, IngressHandler>();

function serialize(err: Error): SerializedError {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) if (typeof v !== 'function') fields[k] = v;
  return { name: err.name, message: err.message, stack: err.stack, fields };
}

let channel: RpcChannel;
let registry: PluginRegistry;
let log: Log;
/**
 * Plugin packages not imported yet: a thread loads only those its tasks need, so it does not
 * hold a copy of every connector's code (and its dependencies) beside the main thread's.
 */
let unloaded: PluginModuleRef[] = [];

/**
 * Imports the packages the main thread named for a task (`packages`), then, for any plugin still
 * missing, the remaining packages in turn until it is found.
 */
async function loadPluginsFor(names: readonly string[], packages: readonly PluginModuleRef[]): Promise<void> {
  for (const ref of packages) {
    const i = unloaded.findIndex((u) => u.specifier === ref.specifier);
    if (i >= 0) registry.register(await loadPluginModule(unloaded.splice(i, 1)[0]!));
  }
  for (const name of names) {
    while (!registry.find(name) && unloaded.length > 0)
      registry.register(await loadPluginModule(unloaded.shift()!));
  }
}

async function startTask(spec: TaskStartSpec): Promise<void> {
  const { id } = spec;
  await loadPluginsFor(
    taskPluginNames(data.converterDefaults, spec.connectorConfig, spec.plugin),
    spec.packages,
  );
  const plugin = registry.findOf(spec.plugin, ['source', 'sink']);
  const status = {
    onTaskState: (connector: string, task: number, state: TaskStateEvent['state'], error?: Error): void => {
      channel.emit('task-state', {
        id: { connector, task },
        state,
        ...(error ? { error: serialize(error) } : {}),
      } satisfies TaskStateEvent);
    },
  };
  if (!plugin) {
    status.onTaskState(
      id.connector,
      id.task,
      'FAILED',
      new Error(`connector plugin ${spec.plugin} is not available in the task thread`),
    );
    return;
  }
  const metrics = new ThreadTaskMetrics();
  const taskLogger = logger.child({ connector: id.connector, task: id.task });
  let task: WorkerTask;
  try {
    task = await createWorkerTask(id, plugin, spec.connectorConfig, spec.taskConfig, {
      log,
      producerFor: (compression) => log.producer({ poolBuffers: false, compression }),
      registry,
      converterDefaults: data.converterDefaults,
      status,
      metrics,
      offsets: new ThreadTaskOffsets(channel, id, spec.offsets, spec.positions),
      onTopicUsed: (topic) => channel.call('task.topicUsed', [id, topic]),
      logger: taskLogger,
      ingress: {
        register: (handler) => {
          ingressHandlers.set(id.connector, handler);
          channel.emit('ingress', { connector: id.connector, registered: true });
          return () => {
            if (ingressHandlers.get(id.connector) !== handler) return;
            ingressHandlers.delete(id.connector);
            channel.emit('ingress', { connector: id.connector, registered: false });
          };
        },
      },
    });
  } catch (err) {
    status.onTaskState(id.connector, id.task, 'FAILED', err as Error);
    return;
  }
  tasks.set(key(id), { task, metrics, logger: taskLogger });
  if (spec.target === 'PAUSED') task.pause();
  await task.start();
}

function flushMetrics(): void {
  for (const { task, metrics } of tasks.values()) {
    const calls = metrics.take();
    if (calls.length > 0) channel.emit('metrics', { id: task.id, calls });
  }
}

async function stopTask(id: TaskId): Promise<void> {
  const entry = tasks.get(key(id));
  if (!entry) return;
  tasks.delete(key(id));
  await entry.task.stop();
  const calls = entry.metrics.take();
  if (calls.length > 0) channel.emit('metrics', { id, calls });
}

async function main(): Promise<void> {
  if (!parentPort) throw new Error('task-thread runs only as a worker thread');
  channel = new RpcChannel(
    parentPort,
    async (method, args) => {
      switch (method) {
        case 'task.start':
          return startTask(args[0] as TaskStartSpec);
        case 'task.stop':
          return stopTask(args[0] as TaskId);
        case 'task.pause':
          return tasks.get(key(args[0] as TaskId))?.task.pause();
        case 'task.resume':
          return tasks.get(key(args[0] as TaskId))?.task.resume();
        case 'task.signal':
          return (await tasks.get(key(args[0] as TaskId))?.task.signal(args[1] as ConnectorSignal)) ?? false;
        case 'ingress.request': {
          const handler = ingressHandlers.get(args[0] as string);
          if (!handler)
            return {
              status: 503,
              headers: { 'retry-after': '5' },
              body: { error_code: 503, message: 'not taking requests now' },
            };
          return handler(args[1] as IngressRequest);
        }
        case 'thread.logLevel': {
          // the main thread's sluice.runtime logger changed (/admin/loggers): tasks here follow it
          const level = args[0] as string;
          logger.level = level;
          for (const entry of tasks.values()) entry.logger.level = level;
          return undefined;
        }
        case 'thread.shutdown':
          await Promise.all([...tasks.values()].map(({ task }) => stopTask(task.id)));
          clearInterval(metricsTimer);
          // once this answer is out, closing the port lets the thread end by itself
          setImmediate(() => channel.close());
          return undefined;
        default:
          throw new Error(`task thread: unknown call ${method}`);
      }
    },
    reviveError,
  );
  const storage = new RemoteLogStorage(channel);
  await storage.open();
  log = new Log(storage, new RemoteGroupCoordinator(channel));
  registry = new PluginRegistry();
  registry.register([...CONVERTER_PLUGINS, ...TRANSFORM_PLUGINS, ...PREDICATE_PLUGINS]);
  unloaded = findPluginModules(data.pluginDirs);
  for (const url of data.pluginModules) {
    registry.register(((await import(url)) as { plugins: PluginDescriptor[] }).plugins);
  }
  channel.emit('ready', null);
}

const metricsTimer = setInterval(flushMetrics, 250);
metricsTimer.unref();
main().catch((err: unknown) => {
  logger.error({ err }, `task thread failed to start: ${(err as Error).message}`);
  process.exit(1);
});
