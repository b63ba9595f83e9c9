import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectError, isRetriable } from '@sluice/connect-api';
import { headerText, type HttpCall, type HttpClient, type HttpReply } from './http-client.js';
import type { RequestAuthorizer } from './request-authorizer.js';
import { isRetriableStatus, parseRetryAfter, retryDelay, type BackoffSettings } from './retry-backoff.js';

export interface RetryPolicy {
  /** Retries after the first attempt; -1: forever. */
  maxRetries: number;
  backoff: BackoffSettings;
  /** A 429 is the answer, not retried here (a poller waits its Retry-After before its next poll). */
  throttledIsAnswer?: boolean;
}

/** Why an attempt is retried: for logs and gauges. */
export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
}

/** Every retry failed: the last reason is the message, the last error (if any) the cause. */
export class RetriesExhaustedError extends ConnectError {
  override name = 'RetriesExhaustedError';
}

/**
 * Sends a request until the server gives an answer worth keeping: a 2xx, or a status retrying
 * cannot change (most 4xx). Network errors, timeouts, 408, 425, 429 and 5xx are retried with
 * exponential backoff and jitter, a Retry-After winning over the schedule; a 401 is retried once
 * at once when the authorizer can get a fresh token. The same body goes out every time, so a
 * receiver can deduplicate by its Idempotency-Key. Throws RetriesExhaustedError when the policy
 * runs out, and the signal's reason once it aborts (a backoff wait ends at once).
 */
export async function sendWithRetries(
  client: HttpClient,
  call: Omit<HttpCall, 'signal'>,
  authorizer: RequestAuthorizer,
  policy: RetryPolicy,
  signal: AbortSignal,
  onRetry?: (notice: RetryNotice) => void,
): Promise<HttpReply> {
  let retries = 0;
  let freshTokenTried = false;
  for (;;) {
    signal.throwIfAborted();
    let reason: string;
    let cause: unknown = undefined;
    let retryAfterMs: number | null = null;
    let authorization: string | null = null;
    try {
      authorization = await authorizer.authorization(signal);
      const headers = authorization ? { ...call.headers, authorization } : call.headers;
      const reply = await client.send({ ...call, headers, signal });
      if (reply.status === 401 && !freshTokenTried && authorizer.rejected(authorization)) {
        freshTokenTried = true;
        continue;
      }
      if (!isRetriableStatus(reply.status) || (reply.status === 429 && policy.throttledIsAnswer))
        return reply;
      reason = `${call.url.origin}${call.url.pathname} answered ${reply.status}`;
      retryAfterMs = parseRetryAfter(headerText(reply.headers, 'retry-after'));
    } catch (err) {
      signal.throwIfAborted();
      if (err instanceof ConnectError && !isRetriable(err)) throw err;
      cause = err;
      reason = `${call.url.origin}${call.url.pathname}: ${describeError(err)}`;
    }
    if (policy.maxRetries >= 0 && retries >= policy.maxRetries) {
      throw new RetriesExhaustedError(`giving up after ${retries + 1} attempts: ${reason}`, { cause });
    }
    const delayMs = retryDelay(retries, policy.backoff, retryAfterMs);
    retries++;
    onRetry?.({ attempt: retries, delayMs, reason });
    await sleep(delayMs, undefined, { signal });
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${err.message} (${code})` : err.message;
}
