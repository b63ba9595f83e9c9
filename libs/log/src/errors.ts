/**
 * Every failure the log reports is a LogError: callers branch on `code` and `retriable`, never on
 * message text or long instanceof chains.
 */
export type LogErrorCode =
  | 'INVALID_TOPIC'
  | 'INVALID_PARTITIONS'
  | 'INVALID_CONFIG'
  | 'INVALID_RECORD'
  | 'RECORD_TOO_LARGE'
  | 'TOPIC_ALREADY_EXISTS'
  | 'UNKNOWN_TOPIC'
  | 'UNKNOWN_PARTITION'
  | 'OFFSET_OUT_OF_RANGE'
  | 'CORRUPT_RECORD'
  | 'STORAGE_ERROR'
  | 'CLOSED'
  | 'ABORTED'
  | 'UNKNOWN_MEMBER_ID'
  | 'ILLEGAL_GENERATION'
  | 'REBALANCE_IN_PROGRESS'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'GROUP_ID_NOT_FOUND'
  | 'NON_EMPTY_GROUP'
  | 'INVALID_SESSION_TIMEOUT'
  | 'FENCED';

const RETRIABLE: ReadonlySet<LogErrorCode> = new Set<LogErrorCode>([
  'REBALANCE_IN_PROGRESS',
  'STORAGE_ERROR',
]);

export interface LogErrorDetails {
  /** The configuration or request field at fault, for INVALID_* errors. */
  field?: string;
  /** What the field accepts, when the set is small enough to list. */
  allowed?: readonly string[];
  topic?: string;
  partition?: number;
  offset?: number;
  path?: string;
  position?: number;
}

export class LogError extends Error {
  override readonly name = 'LogError';
  readonly retriable: boolean;

  constructor(
    readonly code: LogErrorCode,
    message: string,
    readonly details: LogErrorDetails = {},
    options?: { cause?: unknown; retriable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options?.retriable ?? RETRIABLE.has(code);
  }
}

export function isLogError(err: unknown, code?: LogErrorCode): err is LogError {
  return err instanceof LogError && (code === undefined || err.code === code);
}
