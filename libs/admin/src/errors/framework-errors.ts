import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { RestErrorBody } from './rest-error.js';

/**
 * Fastify's answer to a request it refuses before any route runs (a URL that does not decode,
 * FST_ERR_BAD_URL), in Kafka Connect's error shape like every other answer of the API. For the
 * FastifyAdapter's `frameworkErrors` option.
 */
export function restFrameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode ?? 400;
  const body: RestErrorBody = { error_code: status, message: error.message };
  void reply.code(status).send(body);
}
