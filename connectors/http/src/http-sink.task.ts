import {
  ConnectError,
  DataError,
  parseConfig,
  type ConnectLogger,
  type PartitionOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
} from '@sluice/connect-api';
import { HttpClient } from './http-client.js';
import { HttpSinkConfig } from './http-sink.config.js';
import { DeliveryLanes, type SendOutcome } from './delivery-lanes.js';
import { batchRangeOf, idempotencyKeyOf, type BatchTarget, type OutgoingBatch } from './outgoing-batch.js';
import {
  compileRecordTemplate,
  compileUrlTemplate,
  usesPlaceholders,
  type RecordTemplate,
} from './record-template.js';
import { requestAuthorizerFor, type RequestAuthorizer } from './request-authorizer.js';
import { isHeaderValue, requestHeadersOf } from './request-headers.js';
import { sendWithRetries, type RetryPolicy } from './retrying-request.js';
import { batchBody, contentTypeOf, encodeValue, singleBody } from './sink-body-encoder.js';
import { VERSION } from './version.js';

/** Response bytes kept for error messages. */
const MAX_RESPONSE_BYTES = 16 * 1024;

/**
 * Sends records to an HTTP endpoint in batches (see delivery-lanes.ts for batching and order).
 *
 * put() only queues, so several requests run while the runtime reads on; it waits when about
 * four rounds of full requests are pending, which keeps memory flat. A batch is retried (same
 * body, same Idempotency-Key) on network errors, timeouts, 429 and 5xx; a receiver's other 4xx
 * sends the batch's records to the errant record reporter (errors.tolerance, DLQ). preCommit()
 * sends what lingers, waits for every request, and returns per partition only offsets before
 * the first record not yet delivered, so an offset is committed only after its 2xx. When retries
 * run out (or errors.tolerance=none refuses a record) the next put() or preCommit() fails the
 * task, and nothing after the failed batch is committed.
 */
export class HttpSinkTask implements SinkTask {
  private config!: HttpSinkConfig;
  private context!: SinkTaskContext;
  private logger!: ConnectLogger;
  private client!: HttpClient;
  private authorizer!: RequestAuthorizer;
  private lanes!: DeliveryLanes;
  private policy!: RetryPolicy;
  private url!: RecordTemplate;
  private headers: { name: string; text: string; value: RecordTemplate }[] = [];
  private fixedTarget: BatchTarget | null = null;
  private idempotencyHeader = '';
  private pendingLimit = 0;
  private readonly stopping = new AbortController();
  private failure: Error | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;

  version(): string {
    return VERSION;
  }

  start(raw: Readonly<Record<string, string>>, context: SinkTaskContext): void {
    this.context = context;
    this.logger = context.logger;
    // a stopping task gives up its retries at once: the last commit (before stop()) then returns
    // the offsets delivered so far instead of waiting out every backoff
    if (context.signal.aborted) this.stopping.abort();
    else context.signal.addEventListener('abort', () => this.stopping.abort(), { once: true });
    const parsed = parseConfig(HttpSinkConfig, raw);
    if (!parsed.ok) {
      throw new ConnectError(
        `invalid http sink config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
      );
    }
    const config = parsed.config;
    this.config = config;
    const extra = requestHeadersOf(raw);
    if (extra.problems.length > 0) throw new ConnectError(extra.problems.map((p) => p.message).join('; '));
    this.url = compileUrlTemplate(config['http.url']);
    this.headers = Object.entries(extra.headers).map(([name, value]) => ({
      name: name.toLowerCase(),
      text: value,
      value: compileRecordTemplate(value, (v) => v),
    }));
    const dynamic =
      usesPlaceholders(config['http.url']) || Object.values(extra.headers).some((v) => usesPlaceholders(v));
    if (!dynamic) this.fixedTarget = this.targetOf(null);
    this.idempotencyHeader = config['idempotency.header'].toLowerCase();
    this.client = new HttpClient({
      connectTimeoutMs: config['connect.timeout.ms'],
      requestTimeoutMs: config['request.timeout.ms'],
      connections: config['max.in.flight.requests'],
    });
    this.authorizer = requestAuthorizerFor(config, this.client);
    this.policy = {
      maxRetries: config['max.retries'],
      backoff: { initialMs: config['retry.backoff.ms'], maxMs: config['retry.backoff.max.ms'] },
    };
    const maxRecords = config['body.format'] === 'single' ? 1 : config['batch.max.records'];
    this.lanes = new DeliveryLanes(
      { maxRecords, maxBytes: config['batch.max.bytes'], maxInFlight: config['max.in.flight.requests'] },
      (batch) => this.deliver(batch),
      (error) => (this.failure ??= error),
    );
    this.pendingLimit = Math.max(1000, 4 * maxRecords * config['max.in.flight.requests']);
  }

  async put(records: SinkRecord[]): Promise<void> {
    this.throwIfFailed();
    for (const record of records) {
      let target = this.fixedTarget;
      let text: string;
      try {
        target ??= this.targetOf(record);
        text = encodeValue(record);
      } catch (err) {
        // this record alone: the ones before it are queued already, and may be on their way
        await this.reportErrant([record], err as Error);
        continue;
      }
      this.lanes.add(record, text, target);
    }
    if (this.config['linger.ms'] === 0) this.lanes.seal();
    else this.scheduleLinger();
    this.lanes.pump();
    await this.lanes.room(this.pendingLimit);
    this.throwIfFailed();
  }

  async preCommit(offsets: PartitionOffsets): Promise<PartitionOffsets> {
    this.throwIfFailed();
    this.lanes.seal();
    await this.lanes.settled();
    this.throwIfFailed();
    const safe: PartitionOffsets = new Map();
    for (const [key, entry] of offsets) {
      const first = this.lanes.firstUndelivered(entry.partition);
      const offset = first === null ? entry.offset : Math.min(entry.offset, first);
      safe.set(key, { partition: entry.partition, offset });
    }
    return safe;
  }

  close(partitions: TopicPartition[]): void {
    this.lanes.drop(partitions);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (!this.lanes) return;
    this.lanes.halt();
    await this.lanes.settled();
    await this.client.close();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private targetOf(record: SinkRecord | null): BatchTarget {
    const url = record ? this.url(record) : this.config['http.url'];
    const headers: Record<string, string> = {};
    let key = url;
    for (const h of this.headers) {
      const value = record ? h.value(record) : h.text;
      if (!isHeaderValue(value))
        throw new DataError(`header ${h.name} would hold characters a header cannot`);
      headers[h.name] = value;
      key += `\u0000${value}`;
    }
    return { url, headers, key: record ? key : '' };
  }

  private scheduleLinger(): void {
    if (this.lingerTimer) return;
    const oldest = this.lanes.oldestOpen();
    if (oldest === null) return;
    const linger = this.config['linger.ms'];
    this.lingerTimer = setTimeout(
      () => {
        this.lingerTimer = null;
        this.lanes.seal(Date.now() - linger);
        this.lanes.pump();
        this.scheduleLinger();
      },
      Math.max(0, oldest + linger - Date.now()),
    );
    this.lingerTimer.unref();
  }

  /** One batch to the receiver: delivered, given to the errant record reporter, or abandoned. */
  private async deliver(batch: OutgoingBatch): Promise<SendOutcome> {
    const format = this.config['body.format'];
    const headers: Record<string, string> = { ...batch.target.headers };
    let text: string | Buffer;
    if (format === 'single') {
      const single = singleBody(batch.records[0]!, batch.values[0]!);
      text = single.body;
      headers['content-type'] ??= single.type;
    } else {
      text = batchBody(format, batch.values);
      headers['content-type'] ??= contentTypeOf(format);
    }
    // bytes once, for the key's checksum and every attempt
    const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    if (this.idempotencyHeader !== '') headers[this.idempotencyHeader] = idempotencyKeyOf(batch, body);
    let url: URL;
    try {
      url = new URL(batch.target.url);
    } catch {
      await this.reportErrant(batch.records, new DataError(`not a valid URL: ${batch.target.url}`));
      return 'delivered';
    }
    let reply;
    try {
      reply = await sendWithRetries(
        this.client,
        {
          url,
          method: this.config['http.method'],
          headers,
          body,
          maxResponseBytes: MAX_RESPONSE_BYTES,
          overflow: 'truncate',
        },
        this.authorizer,
        this.policy,
        this.stopping.signal,
        (notice) =>
          this.logger.warn(
            `${batchRangeOf(batch)}: retry ${notice.attempt} in ${notice.delayMs} ms (${notice.reason})`,
          ),
      );
    } catch (err) {
      if (this.stopping.signal.aborted) return 'abandoned';
      throw err;
    }
    if (reply.status >= 200 && reply.status < 300) return 'delivered';
    const snippet = reply.body.toString('utf8', 0, Math.min(reply.body.length, 512)).trim();
    const answer = `${this.config['http.method']} ${url.origin}${url.pathname} answered ${reply.status}${snippet ? `: ${snippet}` : ''}`;
    // the endpoint or the credentials are wrong, not these records: dead-lettering them would
    // send every record after them there too, and commit their offsets
    if (isEndpointRefusal(reply.status))
      throw new ConnectError(
        `${answer}; ${reply.status < 400 ? 'redirects are not followed: set http.url to where it points' : 'the credentials were refused: fix the auth settings'}, then restart the task`,
      );
    await this.reportErrant(batch.records, new DataError(answer));
    return 'delivered';
  }

  /** Rejects (failing the task) when errors.tolerance=none. */
  private async reportErrant(records: readonly SinkRecord[], error: Error): Promise<void> {
    for (const record of records) await this.context.errantRecordReporter.report(record, error);
  }
}

/** Answers about the endpoint or the credentials (a redirect, 401, 403, 407), not the records. */
function isEndpointRefusal(status: number): boolean {
  return (status >= 300 && status < 400) || status === 401 || status === 403 || status === 407;
}
