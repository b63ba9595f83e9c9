import { HttpException } from '@nestjs/common';
import { isLogError, type LogErrorCode } from '@sluice/log';
import { HerderError } from '@sluice/runtime';

/** Kafka Connect's error body: every error answer of the API has this shape. */
export interface RestErrorBody {
  error_code: number;
  message: string;
}

export interface RestError {
  status: number;
  message: string;
  /** Extra response headers (WWW-Authenticate on a 401). */
  headers: Record<string, string>;
}

/** An HttpException that also sets response headers, e.g. the challenge of a 401. */
export class HttpExceptionWithHeaders extends HttpException {
  constructor(
    message: string,
    status: number,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(message, status);
  }
}

const LOG_ERROR_STATUS: Partial<Record<LogErrorCode, number>> = {
  INVALID_TOPIC: 400,
  INVALID_PARTITIONS: 400,
  INVALID_CONFIG: 400,
  INVALID_RECORD: 400,
  RECORD_TOO_LARGE: 413,
  OFFSET_OUT_OF_RANGE: 400,
  TOPIC_ALREADY_EXISTS: 409,
  UNKNOWN_TOPIC: 404,
  UNKNOWN_PARTITION: 404,
  GROUP_ID_NOT_FOUND: 404,
  NON_EMPTY_GROUP: 409,
  REBALANCE_IN_PROGRESS: 409,
  CLOSED: 503,
};

/**
 * What status and message an error answers with: the herder's errors by their code, the log's by
 * theirs, Nest's and Fastify's (bad JSON, wrong media type, body too large) by their status, and
 * anything else as a 500.
 */
export function toRestError(err: unknown): RestError {
  if (err instanceof HerderError) return { status: err.httpStatus, message: err.message, headers: {} };
  if (err instanceof HttpExceptionWithHeaders) {
    return { status: err.getStatus(), message: err.message, headers: { ...err.headers } };
  }
  if (err instanceof HttpException) return { status: err.getStatus(), message: err.message, headers: {} };
  if (isLogError(err))
    return { status: LOG_ERROR_STATUS[err.code] ?? 500, message: err.message, headers: {} };
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode <= 599) {
    return { status: statusCode, message, headers: {} };
  }
  return { status: 500, message: message || 'Internal Server Error', headers: {} };
}
