/*
 * Small stand-ins for what the runtime hands to tasks, for the connector's specs: offsets kept in
 * memory, a logger that records, contexts that record what the task asked for.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  ConnectLogger,
  ErrantRecordReporter,
  OffsetStorageReader,
  SinkRecord,
  SinkTaskContext,
  SourceRecord,
  SourceTask,
  SourceTaskContext,
  TopicPartition,
} from '@sluice/connect-api';

function stableKey(value: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** Committed source offsets, as the runtime's offset store would hold them. */
export class MemoryOffsetStorage implements OffsetStorageReader {
  private readonly committed = new Map<string, Record<string, unknown>>();

  /** Commits the offsets of these records (the last one per partition wins). */
  commit(records: readonly SourceRecord[]): void {
    for (const r of records) this.committed.set(stableKey(r.sourcePartition), { ...r.sourceOffset });
  }

  put(partition: Readonly<Record<string, unknown>>, offset: Record<string, unknown>): void {
    this.committed.set(stableKey(partition), offset);
  }

  async offset(partition: Readonly<Record<string, unknown>>): Promise<Record<string, unknown> | null> {
    return this.committed.get(stableKey(partition)) ?? null;
  }

  async offsets(
    partitions: readonly Readonly<Record<string, unknown>>[],
  ): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const p of partitions) {
      const o = this.committed.get(stableKey(p));
      if (o) out.set(stableKey(p), o);
    }
    return out;
  }
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object | string;
  msg: string | undefined;
}

export interface RecordingLogger extends ConnectLogger {
  readonly entries: LogEntry[];
  messages(level: LogEntry['level']): string[];
}

export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object | string, msg?: string): void => {
      entries.push({ level, obj, msg });
    };
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    messages: (level) =>
      entries.filter((e) => e.level === level).map((e) => e.msg ?? (typeof e.obj === 'string' ? e.obj : '')),
  };
}

export interface TestSourceContext extends SourceTaskContext {
  readonly logger: RecordingLogger;
  readonly controller: AbortController;
}

export function sourceContext(storage: MemoryOffsetStorage, taskId = 0): TestSourceContext {
  const controller = new AbortController();
  return {
    connector: 'file-source-test',
    taskId,
    logger: recordingLogger(),
    offsetStorageReader: storage,
    signal: controller.signal,
    controller,
  };
}

/**
 * Polls like the runtime: each batch is acknowledged (commitRecord) and its offsets committed at
 * once, until `done(all records so far)` or the time is up.
 */
export async function pollUntil(
  task: SourceTask,
  storage: MemoryOffsetStorage,
  done: (records: SourceRecord[]) => boolean,
  timeoutMs = 5000,
): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(records)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out; got ${JSON.stringify(records.map((r) => r.value))}`);
    }
    const batch = await task.poll();
    for (const r of batch) await task.commitRecord?.(r, { topic: r.topic, partition: 0, offset: 0 });
    storage.commit(batch);
    records.push(...batch);
  }
  return records;
}

export class RecordingSinkContext implements SinkTaskContext {
  readonly connector = 'file-sink-test';
  readonly taskId = 0;
  readonly logger = recordingLogger();
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  readonly offsetRequests: { partition: TopicPartition; offset: number }[] = [];
  readonly paused: TopicPartition[] = [];
  readonly reported: { record: SinkRecord; error: Error }[] = [];
  commitRequests = 0;
  private assigned: TopicPartition[] = [];

  /** errors.tolerance: 'all' records errant records, 'none' fails like the runtime would. */
  constructor(private readonly tolerance: 'all' | 'none' = 'all') {}

  readonly errantRecordReporter: ErrantRecordReporter = {
    report: async (record, error) => {
      this.reported.push({ record, error });
      if (this.tolerance === 'none') throw error;
    },
  };

  assign(partitions: TopicPartition[]): void {
    this.assigned = [...partitions];
  }

  assignment(): TopicPartition[] {
    return [...this.assigned];
  }

  offset(partition: TopicPartition, offset: number): void {
    this.offsetRequests.push({ partition, offset });
  }

  pause(partitions: TopicPartition[]): void {
    this.paused.push(...partitions);
  }

  resume(partitions: TopicPartition[]): void {
    for (const p of partitions) {
      const i = this.paused.findIndex((q) => q.topic === p.topic && q.partition === p.partition);
      if (i >= 0) this.paused.splice(i, 1);
    }
  }

  requestCommit(): void {
    this.commitRequests++;
  }
}

/** A sink record as the runtime delivers it. */
export function sinkRecord(
  topic: string,
  partition: number,
  offset: number,
  value: unknown,
  extra: Partial<SinkRecord> = {},
): SinkRecord {
  return Object.freeze({
    topic,
    kafkaPartition: partition,
    kafkaOffset: offset,
    originalTopic: topic,
    originalKafkaPartition: partition,
    originalKafkaOffset: offset,
    key: null,
    keySchema: null,
    value,
    valueSchema: null,
    timestamp: null,
    headers: [],
    ...extra,
  });
}

/** A fresh real directory (symlinks resolved, as tmpdir may be one), removed by cleanup(). */
export async function tempDir(prefix = 'sluice-file-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
