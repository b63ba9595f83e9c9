/*
 * Stand-ins for what the runtime hands to the HTTP tasks, for specs and integration tests: a sink
 * context that records errant records, a source context with an ingress that tests call like the
 * worker's REST listener would, and committed source offsets kept in memory.
 */
import type {
  ConnectLogger,
  ErrantRecordReporter,
  HttpIngress,
  IngressHandler,
  IngressRequest,
  IngressResponse,
  OffsetStorageReader,
  SinkRecord,
  SinkTaskContext,
  SourceRecord,
  TopicPartition,
} from '@sluice/connect-api';

export interface RecordingLogger extends ConnectLogger {
  readonly lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push(`${level} ${typeof obj === 'string' ? obj : (msg ?? '')}`);
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export class RecordingSinkContext implements SinkTaskContext {
  readonly connector = 'http-sink-test';
  readonly taskId = 0;
  readonly logger = recordingLogger();
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  readonly reported: { record: SinkRecord; error: Error }[] = [];
  commitRequests = 0;

  /** errors.tolerance: 'all' records errant records, 'none' rejects as the runtime would. */
  constructor(private readonly tolerance: 'all' | 'none' = 'all') {}

  readonly errantRecordReporter: ErrantRecordReporter = {
    report: async (record, error) => {
      this.reported.push({ record, error });
      if (this.tolerance === 'none') throw error;
    },
  };

  assignment(): TopicPartition[] {
    return [];
  }

  offset(): void {}
  pause(): void {}
  resume(): void {}

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

/** The worker's ingest route, as far as a task can tell: tests send requests through it. */
export class TestIngress implements HttpIngress {
  private handler: IngressHandler | null = null;

  register(handler: IngressHandler): () => void {
    this.handler = handler;
    return () => {
      if (this.handler === handler) this.handler = null;
    };
  }

  get registered(): boolean {
    return this.handler !== null;
  }

  send(request: Partial<Omit<IngressRequest, 'body'>> & { body: Buffer | string }): Promise<IngressResponse> {
    if (!this.handler) return Promise.resolve({ status: 503, headers: { 'retry-after': '5' } });
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

export class MemoryOffsetStorage implements OffsetStorageReader {
  private readonly committed = new Map<string, Record<string, unknown>>();

  commit(records: readonly SourceRecord[]): void {
    for (const r of records) this.committed.set(JSON.stringify(r.sourcePartition), { ...r.sourceOffset });
  }

  async offset(partition: Readonly<Record<string, unknown>>): Promise<Record<string, unknown> | null> {
    return this.committed.get(JSON.stringify(partition)) ?? null;
  }

  async offsets(
    partitions: readonly Readonly<Record<string, unknown>>[],
  ): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const p of partitions) {
      const o = this.committed.get(JSON.stringify(p));
      if (o) out.set(JSON.stringify(p), o);
    }
    return out;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
