import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import type { ConnectorSignal } from '@sluice/connect-api';
import type { Log, Logger } from '@sluice/log';
import type { ConnectorPlugin } from '../config/connector-validator.js';
import type { ConverterDefaults } from '../config/converter-factory.js';
import type { TargetState } from '../herder/herder.js';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.js';
import { RegistryTaskMetrics } from '../metrics/task-metrics.js';
import type { SourceOffsetStore } from '../offsets/source-offset-store.js';
import { taskPluginNames, type PluginRegistry } from '../plugins/plugin-registry.js';
import type { IngressRouter } from '../ingress/ingress-router.js';
import type { TaskId, TaskStatusListener } from '../worker/task-status.js';
import type { TaskRunner } from '../worker/worker.js';
import { reviveError } from './errors.js';
import { logServiceHandler } from './log-service.js';
import { taskThreadFlags, withAcceptedFlags } from './thread-flags.js';
import { RpcChannel, transferable } from './rpc-channel.js';
import type {
  TaskMetricsEvent,
  TaskStartSpec,
  TaskStateEvent,
  TaskThreadData,
} from './task-thread-protocol.js';

export interface ThreadTaskRunnerOptions {
  threads: number;
  log: Log;
  offsets: SourceOffsetStore;
  metrics: RuntimeMetrics;
  status: TaskStatusListener;
  converterDefaults: ConverterDefaults;
  pluginDirs: string[];
  pluginModules?: string[];
  /** The main thread's plugins: which package provides each, so a thread imports only those. */
  registry?: PluginRegistry;
  logger: Logger;
  logLevel: string;
  onTopicUsed: (connector: string, topic: string) => Promise<void>;
  ingress: IngressRouter;
}

interface TaskThread {
  thread: Thread;
  channel: RpcChannel;
  ready: Promise<void>;
  tasks: Set<string>;
}

const here = fileURLToPath(import.meta.url);
const fromSources = here.endsWith('.ts');
const key = (id: TaskId): string => `${id.connector}-${id.task}`;

/**
 * Runs tasks in a pool of worker threads so a worker uses every core: each task lives in one
 * thread (the least loaded when it starts) and reaches the log, the coordinator and the offset
 * store of the main thread over its channel.
 */
export class ThreadTaskRunner implements TaskRunner {
  private readonly threads: (TaskThread | null)[];
  private readonly placement = new Map<string, { id: TaskId; thread: TaskThread }>();
  private readonly counts: { text: string } = { text: '' };
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private logLevel: string;

  constructor(private readonly o: ThreadTaskRunnerOptions) {
    this.logLevel = o.logLevel;
    this.threads = new Array<TaskThread | null>(Math.max(1, o.threads)).fill(null);
    this.timer = setInterval(() => void this.broadcastPartitionCounts(), 500);
    this.timer.unref();
  }

  private spawn(slot: number): TaskThread {
    const entry = path.join(path.dirname(here), `task-thread.${fromSources ? 'ts' : 'js'}`);
    // the main thread's flags (profiling, heap size, loaders), plus what running from sources needs
    const { execArgv: flags, resourceLimits } = taskThreadFlags(process.execArgv);
    const execArgv = fromSources
      ? [
          ...flags.filter((a) => !a.startsWith('--experimental-vm-modules')),
          '--conditions=@sluice/source',
          '--import',
          pathToFileURL(path.resolve('node_modules/@swc-node/register/esm/esm-register.mjs')).href,
        ]
      : flags;
    const data: TaskThreadData = {
      pluginDirs: this.o.pluginDirs,
      pluginModules: this.o.pluginModules ?? [],
      converterDefaults: this.o.converterDefaults,
      logLevel: this.logLevel,
    };
    const thread = withAcceptedFlags(
      execArgv,
      (argv) =>
        new Thread(entry, {
          workerData: data,
          execArgv: argv,
          name: `sluice-tasks-${slot}`,
          resourceLimits,
          env: fromSources
            ? { ...process.env, SWC_NODE_PROJECT: path.resolve('tsconfig.typecheck.json') }
            : process.env,
        }),
    );
    const log = logServiceHandler(this.o.log);
    const channel = new RpcChannel(
      thread,
      async (method, args, signal) => {
        if (method.startsWith('storage.') || method.startsWith('coordinator.')) {
          const result = await log(method, args, signal);
          if (method === 'storage.createTopic' || method === 'storage.deleteTopic')
            void this.broadcastPartitionCounts();
          return result;
        }
        if (method === 'task.topicUsed') {
          const id = args[0] as TaskId;
          return this.o.onTopicUsed(id.connector, args[1] as string);
        }
        if (method === 'task.commitOffsets') {
          const id = args[0] as TaskId;
          return this.o.offsets.commit(
            id.connector,
            id.task,
            args[1] as never,
            args[2] as Record<string, number>,
          );
        }
        throw new Error(`unknown call from a task thread: ${method}`);
      },
      reviveError,
    );
    let ready!: () => void;
    const task: TaskThread = {
      thread,
      channel,
      ready: new Promise<void>((r) => (ready = r)),
      tasks: new Set(),
    };
    channel.onEvent((name, payload) => {
      if (name === 'ready') {
        this.o.metrics.taskThreads.inc();
        ready();
      } else if (name === 'task-state') {
        const e = payload as TaskStateEvent;
        this.o.status.onTaskState(
          e.id.connector,
          e.id.task,
          e.state,
          e.error ? reviveError(e.error) : undefined,
        );
      } else if (name === 'ingress') {
        // a task in this thread (un)registered its connector's ingest handler
        const e = payload as { connector: string; registered: boolean };
        this.o.ingress.set(
          e.connector,
          e.registered
            ? async (request) => {
                const { buffer, transfer } = transferable(request.body);
                return task.channel.call('ingress.request', [e.connector, { ...request, body: buffer }], {
                  transfer,
                });
              }
            : null,
        );
      } else if (name === 'metrics') {
        const e = payload as TaskMetricsEvent;
        const metrics = new RegistryTaskMetrics(this.o.metrics, e.id.connector, e.id.task);
        for (const call of e.calls) metrics.apply(call);
      }
    });
    thread.on('error', (err) => this.threadDied(slot, task, err));
    thread.on('exit', (code) => {
      if (!this.closed) this.threadDied(slot, task, new Error(`task thread exited with code ${code}`));
    });
    this.threads[slot] = task;
    return task;
  }

  private threadDied(slot: number, thread: TaskThread, error: Error): void {
    if (this.threads[slot] !== thread) return;
    this.threads[slot] = null;
    void thread.ready.then(() => this.o.metrics.taskThreads.dec());
    thread.channel.close(error);
    this.o.logger.error({ err: error }, `a task thread died: ${error.message}; its tasks are FAILED`);
    for (const k of thread.tasks) {
      const placed = this.placement.get(k);
      if (!placed) continue;
      this.placement.delete(k);
      this.o.status.onTaskState(placed.id.connector, placed.id.task, 'FAILED', error);
    }
  }

  /**
   * Starts every thread not started yet. A thread spends most of a second loading the runtime,
   * which a connector created later then does not wait for (its plugin's package still loads on
   * its first task).
   */
  warm(): void {
    if (this.closed) return;
    for (let i = 0; i < this.threads.length; i++) if (!this.threads[i]) this.spawn(i);
  }

  /** The level of the task loggers in every thread, and of threads started later. */
  setLogLevel(level: string): void {
    this.logLevel = level;
    for (const t of this.threads) void t?.channel.call('thread.logLevel', [level]).catch(() => undefined);
  }

  /** The least loaded thread, started on first use. */
  private async threadFor(): Promise<TaskThread> {
    let best = -1;
    for (let i = 0; i < this.threads.length; i++) {
      const t = this.threads[i];
      if (!t) {
        best = i;
        break;
      }
      if (best < 0 || t.tasks.size < this.threads[best]!.tasks.size) best = i;
    }
    const thread = this.threads[best] ?? this.spawn(best);
    await thread.ready;
    return thread;
  }

  async start(
    id: TaskId,
    plugin: ConnectorPlugin,
    connectorConfig: Readonly<Record<string, string>>,
    taskConfig: Readonly<Record<string, string>>,
    target: TargetState,
  ): Promise<void> {
    if (this.placement.has(key(id))) throw new Error(`task ${key(id)} is already running`);
    const thread = await this.threadFor();
    thread.tasks.add(key(id));
    this.placement.set(key(id), { id, thread });
    const spec: TaskStartSpec = {
      id,
      plugin: plugin.className,
      packages:
        this.o.registry?.modulesOf(
          taskPluginNames(this.o.converterDefaults, connectorConfig, plugin.className),
        ) ?? [],
      connectorConfig: { ...connectorConfig },
      taskConfig: { ...taskConfig },
      target,
      offsets: this.o.offsets.offsets(id.connector),
      positions: this.o.offsets.positions(id.connector).get(id.task) ?? {},
    };
    await thread.channel.call('task.start', [spec]);
  }

  async stop(id: TaskId): Promise<void> {
    const placed = this.placement.get(key(id));
    if (!placed) return;
    this.placement.delete(key(id));
    placed.thread.tasks.delete(key(id));
    await placed.thread.channel.call('task.stop', [id]).catch(() => undefined);
  }

  pause(id: TaskId): void {
    void this.placement
      .get(key(id))
      ?.thread.channel.call('task.pause', [id])
      .catch(() => undefined);
  }

  resume(id: TaskId): void {
    void this.placement
      .get(key(id))
      ?.thread.channel.call('task.resume', [id])
      .catch(() => undefined);
  }
  async signal(id: TaskId, signal: ConnectorSignal): Promise<boolean> {
    const placed = this.placement.get(key(id));
    if (!placed) return false;
    return (await placed.thread.channel.call('task.signal', [id, signal])) as boolean;
  }

  ids(): TaskId[] {
    return [...this.placement.values()].map((p) => p.id);
  }

  private async broadcastPartitionCounts(): Promise<void> {
    const counts: Record<string, number> = {};
    for (const topic of await this.o.log.storage.listTopics().catch(() => [] as string[])) {
      counts[topic] = this.o.log.storage.partitionCount(topic) ?? 0;
    }
    const text = JSON.stringify(counts);
    if (text === this.counts.text) return;
    this.counts.text = text;
    for (const t of this.threads) t?.channel.emit('partition-counts', counts);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const t of this.threads) {
      if (!t) continue;
      const exited = new Promise<void>((resolve) => t.thread.once('exit', () => resolve()));
      await t.channel.call('thread.shutdown', []).catch(() => undefined);
      // a thread ends by itself once its tasks stopped; one that hangs is ended
      const timer = setTimeout(() => void t.thread.terminate(), 5000);
      await exited;
      clearTimeout(timer);
      t.channel.close();
      void t.ready.then(() => this.o.metrics.taskThreads.dec());
    }
  }
}
