import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Herder } from '@sluice/runtime';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HERDER } from '../admin.tokens.js';
import type { RequestWithRawBody } from '../http/lenient-json-body.parser.js';

/** Where webhook requests come in: /ingest/{connector}, and paths under it. */
export const INGEST_PREFIX = '/ingest';

/**
 * Webhook intake: requests to /ingest/{connector} go to that connector's webhook source task,
 * which answers once what it took is durable. A route of Fastify's own, not a Nest controller:
 * webhooks come by the thousand per second, and Nest's router, guard and parameter decorators
 * were about a tenth of each request's CPU (`npm run bench -- http`, profiled). It is outside the
 * admin API's auth on purpose (the connector checks its own shared secret or signature); errors
 * still reach the exception filter, so they keep Kafka Connect's `{error_code, message}` shape
 * (404 for an unknown connector).
 */
@Injectable()
export class IngestRoute implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(HERDER) private readonly herder: Herder,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const handler = (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
      this.forward(request, reply);
    fastify.all(`${INGEST_PREFIX}/:connector`, handler);
    fastify.all(`${INGEST_PREFIX}/:connector/*`, handler);
  }

  private async forward(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const connector = (request.params as { connector: string }).connector;
    const url = request.url;
    const query = url.indexOf('?');
    const pathname = query < 0 ? url : url.slice(0, query);
    // what follows /ingest/{connector} as sent (still encoded), e.g. /github/push
    const rest = pathname.indexOf('/', INGEST_PREFIX.length + 1);
    const response = await this.herder.ingest(connector, {
      method: request.method,
      path: rest < 0 ? '' : pathname.slice(rest),
      headers: request.headers,
      body: (request as FastifyRequest & RequestWithRawBody).rawBody ?? Buffer.alloc(0),
      remoteAddress: request.ip,
    });
    void reply.status(response.status);
    if (response.headers) void reply.headers(response.headers);
    if (response.body === undefined) await reply.send();
    else await reply.type('application/json').send(JSON.stringify(response.body));
  }
}

/** The route in the OpenAPI document, which knows only Nest's controllers. */
export function documentIngestRoute(document: OpenAPIObject): void {
  const answer = (description: string): { description: string } => ({ description });
  document.paths[`${INGEST_PREFIX}/{connector}`] = {
    post: {
      tags: ['ingest'],
      summary: "Send records to a webhook source connector (its own auth applies, not the API's)",
      parameters: [{ name: 'connector', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: {
        description: 'A JSON object, a JSON array (one record per item) or NDJSON',
        content: { 'application/json': {}, 'application/x-ndjson': {} },
      },
      responses: {
        '200': answer('Stored: every record is durable in the log'),
        '400': answer('Malformed body (the message names the position)'),
        '401': answer('Missing or wrong shared secret or signature'),
        '404': answer('No such connector'),
        '413': answer('Body over webhook.max.body.bytes'),
        '429': answer('Too many records pending; retry after Retry-After'),
        '503': answer('The connector takes no requests now; retry after Retry-After'),
      },
      security: [],
    },
  };
}
