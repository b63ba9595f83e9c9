import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { jsonSyntaxProblem } from './json-syntax-problem.js';

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
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      json(request, text, (err, parsed) => {
        const problem = err ? jsonSyntaxProblem(text) : null;
        if (!err || problem === null) {
          done(err, parsed);
          return;
        }
        done(Object.assign(new Error(`The body is not valid JSON: ${problem}`), { statusCode: 400 }));
      });
    });
    // Nest's form parser would hand the API a form (curl's default type) as if it were a JSON
    // body; the API takes JSON only
    fastify.removeContentTypeParser('text/plain');
    if (fastify.hasContentTypeParser('application/x-www-form-urlencoded'))
      fastify.removeContentTypeParser('application/x-www-form-urlencoded');
    // other types get 415, as from Kafka Connect (webhooks, which take any, are answered before
    // Fastify: see ingestServerFactory)
    fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (request, _body, done) => {
      const type = String(request.headers['content-type'] ?? '');
      done(
        Object.assign(new Error(`Unsupported Media Type: ${type}`), {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        }),
        undefined,
      );
    });
  }
}
