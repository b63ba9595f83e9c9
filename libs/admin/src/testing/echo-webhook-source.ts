import {
  ConfigField,
  parseConfig,
  type IngressRequest,
  type IngressResponse,
  type PluginDescriptor,
  type RecordMetadata,
  type SourceConnector,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@sluice/connect-api';
import { IsInt, IsString, Min, MinLength } from 'class-validator';

/*
 * A minimal webhook source for the ingest route's tests: each request's JSON body becomes one
 * record, and the request is answered once that record is durable in the log.
 */

class EchoWebhookConfig {
  @ConfigField({ doc: 'Topic to write to.', required: true })
  @IsString()
  @MinLength(1)
  topic = '';

  @ConfigField({ doc: 'Retry-After (seconds) while paused; the worker default when 0.' })
  @IsInt()
  @Min(0)
  'paused.retry.after.seconds' = 0;
}

class EchoWebhookTask implements SourceTask {
  private topic = '';
  private queue: SourceRecord[] = [];
  private readonly waiting = new Map<SourceRecord, (response: IngressResponse) => void>();
  private wake: (() => void) | null = null;
  private unregister: (() => void) | null = null;

  start(config: Readonly<Record<string, string>>, context: SourceTaskContext): void {
    const parsed = parseConfig(EchoWebhookConfig, config);
    if (!parsed.ok) throw new Error('bad echo webhook config');
    this.topic = parsed.config.topic;
    const retryAfter = parsed.config['paused.retry.after.seconds'];
    this.unregister =
      context.ingress?.register(
        (request) => this.handle(request),
        retryAfter > 0 ? { retryAfterSeconds: retryAfter } : undefined,
      ) ?? null;
  }

  private handle(request: IngressRequest): Promise<IngressResponse> {
    let value: unknown;
    try {
      value = JSON.parse(request.body.toString('utf8'));
    } catch (err) {
      return Promise.resolve({ status: 400, body: { error_code: 400, message: (err as Error).message } });
    }
    const record: SourceRecord = {
      topic: this.topic,
      kafkaPartition: null,
      keySchema: null,
      key: null,
      valueSchema: null,
      value,
      timestamp: null,
      headers: [{ key: 'path', value: request.path }],
      sourcePartition: {},
      sourceOffset: {},
    };
    return new Promise((resolve) => {
      this.waiting.set(record, resolve);
      this.queue.push(record);
      this.wake?.();
    });
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.queue.length === 0) await new Promise<void>((r) => setTimeout((this.wake = r), 100));
    this.wake = null;
    const out = this.queue;
    this.queue = [];
    return out;
  }

  commitRecord(record: SourceRecord, metadata: RecordMetadata | null): void {
    this.waiting.get(record)?.({ status: 200, body: { offset: metadata?.offset ?? null } });
    this.waiting.delete(record);
  }

  stop(): void {
    this.unregister?.();
  }
}

class EchoWebhookSource implements SourceConnector {
  readonly kind = 'source' as const;
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return '1.0.0';
  }

  configClass(): new () => object {
    return EchoWebhookConfig;
  }

  start(config: Readonly<Record<string, string>>): void {
    this.config = config;
  }

  taskConfigs(): Record<string, string>[] {
    return [{ ...this.config }];
  }

  createTask(): SourceTask {
    return new EchoWebhookTask();
  }

  stop(): void {}
}

export const ECHO_WEBHOOK_SOURCE: PluginDescriptor = {
  type: 'source',
  name: 'echo-webhook-source',
  className: 'test.admin.EchoWebhookSource',
  version: '1.0.0',
  create: () => new EchoWebhookSource(),
};
