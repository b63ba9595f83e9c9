import type { SinkRecord, SourceRecord } from '../connect-record.js';
import type { ErrantRecordReporter, SinkTaskContext, TopicPartition } from '../sink-task.js';
import type {
  HttpIngress,
  IngressHandler,
  IngressOptions,
  IngressRequest,
  IngressResponse,
} from '../http-ingress.js';
import type { SourceTask, SourceTaskContext } from '../source-task.js';
import type { MemoryOffsetStorage } from './memory-offset-storage.js';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

export interface TestSourceContext extends SourceTaskContext {
  readonly logger: RecordingLogger;
  /** Aborts the context's signal, as the runtime does when it stops the task. */
  readonly controller: AbortController;
}

/** A source task's context over offsets kept in memory; `ingress` for webhook-style sources. */
export function sourceContext(
  storage: MemoryOffsetStorage,
  options: { connector?: string; taskId?: number; ingress?: HttpIngress } = {},
): TestSourceContext {
  const controller = new AbortController();
  return {
    connector: options.connector ?? 'source-test',
    taskId: options.taskId ?? 0,
    logger: recordingLogger(),
    offsetStorageReader: storage,
    signal: controller.signal,
    controller,
    ...(options.ingress ? { ingress: options.ingress } : {}),
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

/** A sink task's context that records what the task asked for: rewinds, pauses, errant records. */
export class RecordingSinkContext implements SinkTaskContext {
  readonly taskId = 0;
  readonly logger = recordingLogger();
  readonly controller = new AbortController();
  readonly signal: AbortSignal = this.controller.signal;
  readonly offsetRequests: { partition: TopicPartition; offset: number }[] = [];
  readonly paused: TopicPartition[] = [];
  readonly reported: { record: SinkRecord; error: Error }[] = [];
  commitRequests = 0;
  /** What topicId() answers, per topic (null for the others, as for a topic that is gone). */
  readonly topicIds = new Map<string, string>();
  private assigned: TopicPartition[] = [];

  /** errors.tolerance: 'all' records errant records, 'none' fails like the runtime would. */
  constructor(
    private readonly tolerance: 'all' | 'none' = 'all',
    readonly connector = 'sink-test',
  ) {}

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

  async topicId(topic: string): Promise<string | null> {
    return this.topicIds.get(topic) ?? null;
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

/** The worker's ingest route, as far as a task can tell: tests send requests through it. */
export class TestIngress implements HttpIngress {
  private handler: IngressHandler | null = null;
  private options: IngressOptions | undefined;
  /** As the worker while the task is paused: requests are answered 503 without reaching it. */
  paused = false;

  register(handler: IngressHandler, options?: IngressOptions): () => void {
    this.handler = handler;
    this.options = options;
    return () => {
      if (this.handler === handler) this.handler = null;
    };
  }

  get registered(): boolean {
    return this.handler !== null;
  }

  /** What the worker would answer: 503 while no task takes requests. */
  send(request: Partial<Omit<IngressRequest, 'body'>> & { body: Buffer | string }): Promise<IngressResponse> {
    if (!this.handler) return Promise.resolve({ status: 503, headers: { 'retry-after': '5' } });
    if (this.paused)
      return Promise.resolve({
        status: 503,
        headers: { 'retry-after': String(this.options?.retryAfterSeconds ?? 5) },
      });
    const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
    return this.handler({
      method: request.method ?? 'POST',
      path: request.path ?? '',
      headers: request.headers ?? { 'content-type': 'application/json' },
      body,
      remoteAddress: request.remoteAddress ?? '127.0.0.1',
    });
  }
}
