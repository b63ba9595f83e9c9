import { ConnectError, RetriableError } from '@sluice/connect-api';

/** SQLSTATEs worth a retry: connection trouble, an object still in use, resource limits, shutdown. */
const RETRIABLE_STATES = new Set([
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '55006', // object_in_use (a slot still active while its previous reader exits)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetriablePgError(err: unknown): boolean {
  const code = sqlState(err);
  if (code && (RETRIABLE_STATES.has(code) || NETWORK_CODES.has(code))) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection closed|not queryable|timeout expired|socket hang up/i.test(
    message,
  );
}

/** Wraps a pg error as the SPI's error kinds: retriable for transient trouble, else ConnectError. */
export function toConnectError(err: unknown, what: string): ConnectError {
  if (err instanceof ConnectError) return err;
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  return isRetriablePgError(err)
    ? new RetriableError(message, { cause: err })
    : new ConnectError(message, { cause: err });
}
