import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** Requests keep the body exactly as sent: webhook signatures are computed over those bytes. */
export interface RequestWithRawBody {
  rawBody?: Buffer;
}

/**
 * Kafka Connect tooling often sends `Content-Type: application/json` with no body (PUT .../pause,
 * POST .../restart), which Fastify refuses. This parser takes an empty JSON body as no body and
 * leaves everything else to Fastify's own JSON parser (prototype poisoning refused).
 */
@Injectable()
export class LenientJsonBodyParser implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const json = fastify.getDefaultJsonParser('error', 'error');
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      const raw = typeof body === 'string' ? Buffer.from(body) : body;
      (request as RequestWithRawBody).rawBody = raw;
      // webhook sources parse (and verify signatures over) their own bodies, with their own errors
      if (request.url.startsWith('/ingest/')) {
        done(null, undefined);
        return;
      }
      const text = raw.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      json(request, text, done);
    });
    // Fastify's own text/plain parser would keep the bytes from webhooks
    fastify.removeContentTypeParser('text/plain');
    // webhooks (/ingest/...) may send any type (NDJSON, text, forms) and get its bytes; the
    // Kafka Connect API keeps answering other types with 415, as Kafka Connect does
    fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      if (!request.url.startsWith('/ingest/')) {
        const type = String(request.headers['content-type'] ?? '');
        done(
          Object.assign(new Error(`Unsupported Media Type: ${type}`), {
            statusCode: 415,
            code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
          }),
          undefined,
        );
        return;
      }
      (request as RequestWithRawBody).rawBody = typeof body === 'string' ? Buffer.from(body) : body;
      done(null, undefined);
    });
  }
}
