/**
 * What a failed statement means for the sink:
 *   transient: the same batch may succeed after reconnecting and waiting (connection lost, the
 *              server restarting, serialization failure, deadlock): retried;
 *   fatal:     a setting or the database is wrong for every record (authentication, a missing
 *              database, privileges, ON CONFLICT without a matching unique index): fails the task;
 *   data:      something in the rows (a constraint, a bad value, a DataError from encoding): the
 *              batch is retried row by row and the failing records go to the errant record
 *              reporter.
 */
export type PgErrorKind = 'transient' | 'fatal' | 'data';

const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '55000', // object_not_in_prerequisite_state: e.g. "the database system is in recovery mode"
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout, pg_cancel_backend)
  '25006', // read_only_sql_transaction: a standby, or a primary during failover
]);

/**
 * Whole classes about the server, never about a record: insufficient resources (53: disk full,
 * out of memory, too many connections) and system errors (58: I/O). Written row by row, every
 * record would go to the dead letter queue, or be dropped under errors.tolerance=all.
 */
const TRANSIENT_CLASSES = ['08', '53', '58'];

const FATAL_CODES = new Set([
  '28000', // invalid_authorization_specification (no such role, pg_hba refuses)
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name: the database does not exist
  '3F000', // invalid_schema_name
  '42501', // insufficient_privilege
  '42P10', // invalid_column_reference: no unique index for ON CONFLICT
  '0A000', // feature_not_supported
]);

const TRANSIENT_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /timeout expired/i,
  /query read timeout/i,
  /connection is closed/i,
  /client was closed/i,
];

export function pgErrorKind(err: unknown): PgErrorKind {
  if (typeof err !== 'object' || err === null) return 'data';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (
      TRANSIENT_CODES.has(code) ||
      TRANSIENT_ERRNOS.has(code) ||
      (code.length === 5 && TRANSIENT_CLASSES.includes(code.slice(0, 2)))
    )
      return 'transient';
    if (FATAL_CODES.has(code)) return 'fatal';
    if (/^[0-9A-Z]{5}$/.test(code)) return 'data';
  }
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(message))) return 'transient';
  // AggregateError from a multi-address connect (localhost resolving to ::1 and 127.0.0.1)
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0 && inner.every((e) => pgErrorKind(e) === 'transient'))
    return 'transient';
  // a record the sink could not encode is that record's problem; anything else unexpected is a bug
  // or a broken setup, and writing the batch row by row would not help
  return (err as { name?: unknown }).name === 'DataError' ? 'data' : 'fatal';
}

/** Error text with the server's detail and hint when it has them. */
export function describePgError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; detail?: string; hint?: string };
  let text = e.message || e.code || e.name;
  if (e.detail) text += ` (${e.detail})`;
  if (e.hint) text += ` hint: ${e.hint}`;
  return text;
}
