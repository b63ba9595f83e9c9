import {
  ConnectError,
  parseConfig,
  type IngressHandler,
  type IngressResponse,
  type RecordMetadata,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@sluice/connect-api';
import { compileFieldPath } from './field-path.js';
import { HttpClient } from './http-client.js';
import { HttpPoller } from './http-poller.js';
import { HttpSourceConfig } from './http-source.config.js';
import { requestAuthorizerFor } from './request-authorizer.js';
import { requestHeadersOf } from './request-headers.js';
import { WebhookAuthenticator } from './webhook-authenticator.js';
import { WebhookIntake } from './webhook-intake.js';
import { WebhookListener } from './webhook-listener.js';
import { VERSION } from './version.js';

/** How long poll() waits for webhook records when nothing is pending. */
const WEBHOOK_IDLE_MS = 500;

/**
 * The http-source's task, in webhook mode (WebhookIntake: requests to /ingest/{connector},
 * answered once durable) or poll mode (HttpPoller).
 *
 * Webhook requests come through the worker's REST listener (context.ingress) or, with
 * webhook.listener.port, only through a listener of the task's own: senders are then meant to
 * reach that port alone, so the REST route answers 404 naming the port rather than taking them.
 */
export class HttpSourceTask implements SourceTask {
  private context!: SourceTaskContext;
  private intake: WebhookIntake | null = null;
  private unregister: (() => void) | null = null;
  private listener: WebhookListener | null = null;
  private poller: HttpPoller | null = null;
  private client: HttpClient | null = null;

  version(): string {
    return VERSION;
  }

  async start(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    this.context = context;
    const parsed = parseConfig(HttpSourceConfig, raw);
    if (!parsed.ok) {
      throw new ConnectError(
        `invalid http source config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
      );
    }
    const config = parsed.config;
    if (config.mode === 'webhook') {
      await this.startWebhook(config, context);
      return;
    }
    this.client = new HttpClient({
      connectTimeoutMs: config['connect.timeout.ms'],
      requestTimeoutMs: config['request.timeout.ms'],
      connections: 1,
    });
    this.poller = new HttpPoller(
      config,
      requestHeadersOf(raw).headers,
      this.client,
      requestAuthorizerFor(config, this.client),
      {
        maxRetries: config['max.retries'],
        backoff: { initialMs: config['retry.backoff.ms'], maxMs: config['retry.backoff.max.ms'] },
      },
      context.logger,
      context.signal,
    );
    await this.poller.resume(context.offsetStorageReader);
  }

  private async startWebhook(config: HttpSourceConfig, context: SourceTaskContext): Promise<void> {
    const port = config['webhook.listener.port'];
    if (port === undefined && !context.ingress) {
      throw new ConnectError(
        'webhook mode needs the worker REST listener (none here) or webhook.listener.port',
      );
    }
    const intake = new WebhookIntake(
      {
        topic: config.topic,
        maxBodyBytes: config['webhook.max.body.bytes'],
        maxPendingRecords: config['webhook.max.pending.records'],
        retryAfterSeconds: config['webhook.retry.after.seconds'],
        copiedHeaders: config['webhook.headers'].map((h) => h.toLowerCase()),
        key: config['key.field'] === '' ? null : compileFieldPath(config['key.field']),
        idempotencyHeader: config['webhook.idempotency.header'].toLowerCase(),
        idempotencyWindowMs: config['webhook.idempotency.window.ms'],
        idempotencyMaxKeys: config['webhook.idempotency.max.keys'],
      },
      new WebhookAuthenticator({
        secret: config['webhook.secret'],
        secretHeader: config['webhook.secret.header'],
        scheme: config['webhook.signature.scheme'],
        signatureHeader: config['webhook.signature.header'],
        toleranceMs: config['webhook.signature.tolerance.ms'],
      }),
    );
    this.intake = intake;
    const handle: IngressHandler = (request) => intake.handle(request);
    // while paused, senders are told to come back as they are when the buffers are full
    const pausedAnswer = { retryAfterSeconds: config['webhook.retry.after.seconds'] };
    if (port === undefined) {
      this.unregister = context.ingress?.register(handle, pausedAnswer) ?? null;
      return;
    }
    this.listener = await WebhookListener.open(
      {
        host: config['webhook.listener.host'],
        port,
        connector: context.connector,
        maxBodyBytes: config['webhook.max.body.bytes'],
        logger: context.logger,
      },
      context.ingress?.guard?.(handle, pausedAnswer) ?? handle,
    );
    // not 503 (the router's answer while nothing is registered): a sender retrying here would never get in
    const elsewhere: IngressResponse = {
      status: 404,
      body: {
        error_code: 404,
        message: `connector ${context.connector} takes webhooks on its own port ${port} (webhook.listener.port), not on this one`,
      },
    };
    this.unregister = context.ingress?.register(() => Promise.resolve(elsewhere)) ?? null;
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.poller) return this.poller.poll();
    const intake = this.intake!;
    // with records out and not yet durable, return at once: the runtime then waits for them and
    // calls commitRecord, which answers their requests
    if (intake.pendingRecords === 0) await intake.waitForRecords(WEBHOOK_IDLE_MS, this.context.signal);
    return intake.take();
  }

  commitRecord(record: SourceRecord, metadata: RecordMetadata | null): void {
    this.intake?.committed(record, metadata);
  }

  async stop(): Promise<void> {
    this.unregister?.();
    // requests in flight are answered 503 (nothing stored) before the listener closes
    this.intake?.close();
    await this.listener?.close();
    await this.client?.close();
  }
}
