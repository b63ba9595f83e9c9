import { ConfigField, IsTopicName } from '@sluice/connect-api';
import { IsArray, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { HttpClientConfig } from './http-client.config.js';
import { SIGNATURE_SCHEMES, type SignatureScheme } from './webhook-authenticator.js';

export const SOURCE_MODES = ['webhook', 'poll'] as const;
export const PAGINATION_MODES = ['none', 'cursor', 'next_link'] as const;
export type PaginationMode = (typeof PAGINATION_MODES)[number];

/**
 * Both modes of the http-source. Webhook mode takes POST /ingest/{connector} on the worker's REST
 * listener, or on a listener of its own with webhook.listener.port; poll mode calls
 * http.url every poll.interval.ms (authentication, timeouts and retries as HttpClientConfig says).
 */
export class HttpSourceConfig extends HttpClientConfig {
  @ConfigField({
    doc: 'webhook: senders POST to /ingest/{connector name}; poll: the connector calls http.url.',
    group: 'Source',
  })
  @IsIn(SOURCE_MODES)
  mode: (typeof SOURCE_MODES)[number] = 'webhook';

  @ConfigField({ doc: 'Topic the records go to.', required: true, group: 'Source' })
  @IsString()
  @MinLength(1)
  @IsTopicName()
  topic = '';

  @ConfigField({
    doc: 'Where the record key sits in each item: a JSON pointer (/user/id) or a dotted path (user.id). Empty: no key.',
    group: 'Source',
  })
  @IsString()
  'key.field' = '';

  @ConfigField({
    doc: 'Webhook: the secret. Left out: no authentication (written but empty is refused, so that an empty variable cannot turn it off). With webhook.secret.header empty, requests must carry an HMAC-SHA256 signature of the raw body (GitHub X-Hub-Signature-256, or Stripe-Signature).',
    secret: true,
    group: 'Webhook',
  })
  @IsString()
  'webhook.secret' = '';

  @ConfigField({
    doc: 'Webhook: a header that carries webhook.secret itself (shared secret mode). Empty: signatures instead.',
    group: 'Webhook',
  })
  @IsString()
  'webhook.secret.header' = '';

  @ConfigField({ doc: 'Webhook: the header of the GitHub-style signature.', group: 'Webhook' })
  @IsString()
  @MinLength(1)
  'webhook.signature.header' = 'X-Hub-Signature-256';

  @ConfigField({
    doc: 'Webhook: github (sha256=<hex HMAC of the body>), stripe (t=<seconds>,v1=<hex HMAC of "t.body">), or auto (stripe when only a Stripe-Signature is present).',
    group: 'Webhook',
  })
  @IsIn(SIGNATURE_SCHEMES)
  'webhook.signature.scheme': SignatureScheme = 'auto';

  @ConfigField({
    doc: 'Webhook: how far a Stripe-style signed timestamp may be from now (ms).',
    group: 'Webhook',
  })
  @IsInt()
  @Min(1000)
  'webhook.signature.tolerance.ms' = 300_000;

  @ConfigField({
    doc: "Webhook: a port of the connector's own to take requests on (POST to / or /ingest/{connector name}), instead of the worker's REST port, which then answers 404 for this connector. It opens on the worker that runs the connector's task. Empty: the worker's REST port.",
    type: 'INT',
    group: 'Webhook',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  'webhook.listener.port'?: number = undefined;

  @ConfigField({
    doc: 'Webhook: the address webhook.listener.port listens on. The default takes local senders only; listening on others (0.0.0.0) should go with webhook.secret.',
    group: 'Webhook',
  })
  @IsString()
  @MinLength(1)
  'webhook.listener.host' = '127.0.0.1';

  @ConfigField({ doc: 'Webhook: larger bodies are refused with 413.', group: 'Webhook' })
  @IsInt()
  @Min(1)
  @Max(16 * 1024 * 1024)
  'webhook.max.body.bytes' = 1024 * 1024;

  @ConfigField({ doc: 'Webhook: request headers copied into every record of the request.', group: 'Webhook' })
  @IsArray()
  @IsString({ each: true })
  'webhook.headers': string[] = [];

  @ConfigField({
    doc: 'Webhook: records accepted but not yet durable, at most; beyond it requests get 429 with Retry-After.',
    group: 'Webhook',
  })
  @IsInt()
  @Min(1)
  'webhook.max.pending.records' = 20_000;

  @ConfigField({ doc: 'Webhook: the Retry-After (seconds) of a 429 or 503 answer.', group: 'Webhook' })
  @IsInt()
  @Min(1)
  'webhook.retry.after.seconds' = 1;

  @ConfigField({
    doc: 'Webhook: the header whose value identifies a request; a repeat within webhook.idempotency.window.ms gets the first answer and writes nothing. Empty: off.',
    group: 'Webhook',
    emptyIsValue: true,
  })
  @IsString()
  'webhook.idempotency.header' = 'Idempotency-Key';

  @ConfigField({
    doc: 'Webhook: how long an Idempotency-Key is remembered (ms), in memory.',
    group: 'Webhook',
  })
  @IsInt()
  @Min(0)
  'webhook.idempotency.window.ms' = 24 * 3600 * 1000;

  @ConfigField({
    doc: 'Webhook: Idempotency-Keys remembered at most (the oldest go first).',
    group: 'Webhook',
  })
  @IsInt()
  @Min(1)
  'webhook.idempotency.max.keys' = 100_000;

  @ConfigField({ doc: 'Poll: the URL to call.', group: 'Poll' })
  @IsString()
  'http.url' = '';

  @ConfigField({ doc: 'Poll: GET or POST.', group: 'Poll' })
  @IsIn(['GET', 'POST'])
  'http.method': 'GET' | 'POST' = 'GET';

  @ConfigField({ doc: 'Poll: the JSON body of a POST.', group: 'Poll' })
  @IsString()
  'http.body' = '';

  @ConfigField({ doc: 'Poll: time between two polls once the last page was read (ms).', group: 'Poll' })
  @IsInt()
  @Min(1)
  'poll.interval.ms' = 10_000;

  @ConfigField({
    doc: 'Poll: JSON pointer (or dotted path) to the array of records in a response; empty: the response itself (an array gives one record per element).',
    group: 'Poll',
  })
  @IsString()
  'records.pointer' = '';

  @ConfigField({
    doc: 'Poll: none; cursor (pagination.cursor.pointer names the next cursor in the response, sent back as the pagination.cursor.param query parameter); next_link (the next URL from pagination.next.pointer, or the Link header rel="next"). The cursor or next URL is the source offset: a restart resumes there.',
    group: 'Poll',
  })
  @IsIn(PAGINATION_MODES)
  'pagination.mode': PaginationMode = 'none';

  @ConfigField({ doc: 'Poll: JSON pointer (or dotted path) to the next cursor.', group: 'Poll' })
  @IsString()
  'pagination.cursor.pointer' = '';

  @ConfigField({ doc: 'Poll: query parameter that carries the cursor.', group: 'Poll' })
  @IsString()
  'pagination.cursor.param' = 'cursor';

  @ConfigField({
    doc: 'Poll: JSON pointer (or dotted path) to the next page URL; empty: the Link header.',
    group: 'Poll',
  })
  @IsString()
  'pagination.next.pointer' = '';

  @ConfigField({ doc: 'Poll: larger responses fail the poll.', group: 'Poll' })
  @IsInt()
  @Min(1)
  'poll.max.response.bytes' = 32 * 1024 * 1024;
}
