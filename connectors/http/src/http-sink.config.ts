import { ConfigField } from '@sluice/connect-api';
import { IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { HttpClientConfig } from './http-client.config.js';

export const SINK_BODY_FORMATS = ['json_array', 'ndjson', 'single'] as const;
export type SinkBodyFormat = (typeof SINK_BODY_FORMATS)[number];

export const SINK_METHODS = ['POST', 'PUT', 'PATCH'] as const;

/** Extra request headers: `http.headers.<Name>` (see request-headers.ts), ${topic} and ${key} allowed. */
export class HttpSinkConfig extends HttpClientConfig {
  @ConfigField({
    doc: 'Where records are sent. ${topic} and ${key} are replaced (percent-encoded) per record; records whose URLs differ go in different requests.',
    required: true,
    group: 'HTTP',
  })
  @IsString()
  @MinLength(1)
  'http.url' = '';

  @ConfigField({ doc: 'POST, PUT or PATCH.', group: 'HTTP' })
  @IsIn(SINK_METHODS)
  'http.method': (typeof SINK_METHODS)[number] = 'POST';

  @ConfigField({
    doc: 'json_array: a batch is a JSON array of the record values; ndjson: one value per line; single: one request per record, its value as the body.',
    group: 'Batching',
  })
  @IsIn(SINK_BODY_FORMATS)
  'body.format': SinkBodyFormat = 'json_array';

  @ConfigField({ doc: 'Most records in one request.', group: 'Batching' })
  @IsInt()
  @Min(1)
  'batch.max.records' = 500;

  @ConfigField({
    doc: 'Most bytes in one request body (a single larger record still goes, alone).',
    group: 'Batching',
  })
  @IsInt()
  @Min(1)
  'batch.max.bytes' = 1024 * 1024;

  @ConfigField({
    doc: 'How long a batch that is not full waits for more records before it is sent (ms); 0 sends what each delivery from the log holds at once.',
    group: 'Batching',
  })
  @IsInt()
  @Min(0)
  @Max(60_000)
  'linger.ms' = 0;

  @ConfigField({
    doc: 'Requests in flight at once, over all partitions; a partition has at most one, so its order is kept.',
    group: 'Batching',
  })
  @IsInt()
  @Min(1)
  @Max(256)
  'max.in.flight.requests' = 8;

  @ConfigField({
    doc: 'Header carrying <topic>/<partition>/<first offset>-<last offset>/<CRC-32C of the body, 8 hex digits> of the batch, the same on every retry, so a receiver can deduplicate (the checksum tells apart batches of a topic deleted and created again, whose offsets start over). Empty: not sent.',
    group: 'HTTP',
    emptyIsValue: true,
  })
  @IsString()
  'idempotency.header' = 'Idempotency-Key';
}
