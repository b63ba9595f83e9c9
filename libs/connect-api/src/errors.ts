/**
 * Errors a connector raises. The runtime branches on `retriable`: a RetriableError makes it retry
 * the same call (poll, put) with backoff within errors.retry.timeout; anything else fails the task
 * unless errors.tolerance=all tolerates it (for record-level failures).
 */
export class ConnectError extends Error {
  override name = 'ConnectError';
  readonly retriable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A transient failure (connection lost, timeout): the same call may succeed if retried. */
export class RetriableError extends ConnectError {
  override name = 'RetriableError';
  override readonly retriable = true;
}

/** A record the connector cannot handle (bad shape, bad type): a candidate for the DLQ. */
export class DataError extends ConnectError {
  override name = 'DataError';
}

export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
