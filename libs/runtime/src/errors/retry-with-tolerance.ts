import { DataError, isRetriable } from '@sluice/connect-api';
import type { ErrorStage } from './error-stage.js';

export interface ToleranceSettings {
  tolerance: 'none' | 'all';
  /** Total retry time in ms; 0: no retries; -1: forever. */
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
}

/** A failure that errors.tolerance does not allow: it fails the task. */
export class ToleranceExceededError extends Error {
  override readonly name = 'ToleranceExceededError';

  constructor(
    readonly stage: ErrorStage,
    cause: unknown,
  ) {
    super(
      `Tolerance exceeded in error handler at stage ${stage}: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Kafka Connect's RetryWithToleranceOperator: runs an operation, retries retriable failures with
 * exponential backoff (300 ms doubling up to errors.retry.delay.max.ms) within
 * errors.retry.timeout, then either tolerates the failure (the caller skips the record) or throws.
 */
export class RetryWithTolerance {
  constructor(private readonly settings: ToleranceSettings) {}

  get toleratesAll(): boolean {
    return this.settings.tolerance === 'all';
  }

  /**
   * Retries `op` while its failures are retriable and time remains; rethrows the last failure.
   * `untilAborted` retries without the errors.retry.timeout limit (as Kafka Connect retries a
   * source's poll); `onRetry` hears each failure about to be retried.
   */
  async retry<T>(
    op: () => Promise<T> | T,
    signal?: AbortSignal,
    options: { untilAborted?: boolean; onRetry?: (err: unknown, delayMs: number) => void } = {},
  ): Promise<T> {
    const timeout = options.untilAborted ? -1 : this.settings.retryTimeoutMs;
    const deadline = timeout < 0 ? Infinity : Date.now() + timeout;
    let delay = 300;
    for (;;) {
      try {
        return await op();
      } catch (err) {
        if (!isRetriable(err) || Date.now() + delay > deadline || signal?.aborted) throw err;
        options.onRetry?.(err, delay);
        await sleep(delay, signal);
        delay = Math.min(delay * 2, this.settings.retryDelayMaxMs);
      }
    }
  }

  /**
   * Runs a task's own call (a source's poll, a sink's put) as Kafka Connect does: a RetriableError
   * (a lost connection, a target restarting) is retried with backoff until it succeeds or `signal`
   * aborts; a DataError, a failure of the records themselves, goes to errors.tolerance (returned
   * when tolerated, thrown as ToleranceExceededError when not); anything else is thrown as is.
   */
  async taskCall<T>(
    stage: ErrorStage,
    op: () => Promise<T>,
    signal: AbortSignal,
    onRetry: (err: unknown, delayMs: number) => void,
  ): Promise<{ ok: T } | { failed: Error }> {
    try {
      return { ok: await this.retry(op, signal, { untilAborted: true, onRetry }) };
    } catch (err) {
      if (!(err instanceof DataError) || signal.aborted) throw err;
      return { failed: this.tolerated(stage, err) };
    }
  }

  /** Runs synchronous record work (conversion, transforms): no retries, no promise per record. */
  executeSync<T>(stage: ErrorStage, op: () => T): { ok: T } | { failed: Error } {
    try {
      return { ok: op() };
    } catch (err) {
      return { failed: this.tolerated(stage, err) };
    }
  }

  /**
   * A synchronous stage's failure: returned as an Error for the caller to report and skip the
   * record when errors.tolerance allows it, else thrown as a ToleranceExceededError.
   */
  tolerated(stage: ErrorStage, err: unknown): Error {
    if (!this.toleratesAll) throw new ToleranceExceededError(stage, err);
    return err instanceof Error ? err : new Error(String(err));
  }
}
