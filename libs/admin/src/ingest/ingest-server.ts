import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyBudget, ingressRefusal, sendIngressResponse, serveIngressRequest } from '@sluice/connect-api';
import type { Logger } from '@sluice/log';
import type { Herder } from '@sluice/runtime';
import type { OpenAPIObject } from '@nestjs/swagger';
import { toRestError } from '../errors/rest-error.js';
import { REQUEST_LOGGER } from '../http/request-logging.hook.js';
import type { LoggerLevels } from '../loggers/logger-levels.js';

/** Where webhook requests come in: /ingest/{connector}, and paths under it. */
export const INGEST_PREFIX = '/ingest';

/** The largest ingest body read (a connector's webhook.max.body.bytes may allow less). */
export const INGEST_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Bytes of ingest bodies the listener holds at once, all connectors together. */
export const INGEST_BUFFERED_BYTES = 4 * INGEST_MAX_BODY_BYTES;

interface IngestServing {
  herder: Pick<Herder, 'ingest'>;
  /** Each answer, as the admin API's request log has it. */
  requestLogger: Logger;
  /** Failures of the worker (500s). */
  errorLogger: Logger;
  budget: BodyBudget;
}

/**
 * A Fastify serverFactory whose server answers /ingest/{connector} (and paths under it) itself,
 * handing the raw request to that connector's webhook source, and everything else through Fastify.
 * Webhooks come by the thousand per second: Fastify's router, content-type parsing and hooks were
 * about a fifteenth of the worker's main-thread CPU per webhook record (`npm run bench -- http`,
 * profiled), and its own listener and this route now serve requests the same way. The route is
 * outside the admin API's auth on purpose (the connector checks its own shared secret or
 * signature); errors keep Kafka Connect's `{error_code, message}` shape (404 for an unknown
 * connector).
 */
export function ingestServerFactory(herder: Pick<Herder, 'ingest'>, loggers: LoggerLevels) {
  const serving: IngestServing = {
    herder,
    requestLogger: loggers.logger(REQUEST_LOGGER),
    errorLogger: loggers.logger('sluice.rest'),
    budget: new BodyBudget(INGEST_BUFFERED_BYTES),
  };
  return (handler: http.RequestListener, fastifyOptions: Record<string, unknown>): http.Server => {
    const options = fastifyOptions as unknown as ServerTimeouts;
    const server = http.createServer((req, res) => {
      const target = ingestTarget(req.url ?? '');
      if (target === null) handler(req, res);
      else if (target === BAD_NAME)
        sendIngressResponse(
          res,
          ingressRefusal(400, 'the connector name in the URL is not valid percent-encoding'),
        );
      else serveIngest(req, res, target, serving);
    });
    // what Fastify sets on a server it makes itself (its keep-alive outlasts load balancers')
    server.keepAliveTimeout = options.keepAliveTimeout;
    server.requestTimeout = options.requestTimeout;
    server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}

/** Fastify's server settings (with its defaults filled in) that a serverFactory applies. */
interface ServerTimeouts {
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  maxRequestsPerSocket: number;
}

/** An /ingest/ URL whose connector segment does not decode. */
const BAD_NAME = Symbol('bad connector name');

/** The connector and the path under it of an /ingest/{connector} URL, else null. */
function ingestTarget(url: string): { connector: string; path: string } | typeof BAD_NAME | null {
  if (!url.startsWith(`${INGEST_PREFIX}/`)) return null;
  const query = url.indexOf('?');
  const pathname = query < 0 ? url : url.slice(0, query);
  const start = INGEST_PREFIX.length + 1;
  const slash = pathname.indexOf('/', start);
  const segment = slash < 0 ? pathname.slice(start) : pathname.slice(start, slash);
  if (segment === '') return null;
  let connector: string;
  try {
    connector = decodeURIComponent(segment);
  } catch {
    return BAD_NAME;
  }
  // what follows /ingest/{connector} as sent (still encoded), e.g. /github/push
  return { connector, path: slash < 0 ? '' : pathname.slice(slash) };
}

function serveIngest(
  req: IncomingMessage,
  res: ServerResponse,
  target: { connector: string; path: string },
  serving: IngestServing,
): void {
  const started = performance.now();
  serveIngressRequest(req, res, {
    path: target.path,
    maxBodyBytes: INGEST_MAX_BODY_BYTES,
    budget: serving.budget,
    handle: (request) => serving.herder.ingest(target.connector, request),
    failed: (err) => {
      const { status, message, headers } = toRestError(err);
      if (status >= 500) serving.errorLogger.error({ err }, `request failed: ${message}`);
      return ingressRefusal(status, message, headers);
    },
    answered: (status) => {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      serving.requestLogger.info(
        { method: req.method, url: req.url, status, ms },
        `${req.method} ${req.url} ${status}`,
      );
    },
  });
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
