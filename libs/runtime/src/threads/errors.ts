import { LogError, type LogErrorCode, type LogErrorDetails } from '@sluice/log';
import type { SerializedError } from './rpc-channel.js';

/** Errors from the other thread, as the classes callers test with instanceof (LogError above all). */
export function reviveError(s: SerializedError): Error {
  if (s.name === 'LogError') {
    const err = new LogError(
      s.fields['code'] as LogErrorCode,
      s.message,
      (s.fields['details'] ?? {}) as LogErrorDetails,
      {
        retriable: s.fields['retriable'] as boolean | undefined,
      },
    );
    if (s.stack) err.stack = s.stack;
    return err;
  }
  const err = new Error(s.message);
  Object.assign(err, s.fields);
  Object.defineProperty(err, 'name', { value: s.name });
  if (s.stack) err.stack = s.stack;
  return err;
}
