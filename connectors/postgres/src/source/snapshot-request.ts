/** Debezium's signal types for ad-hoc snapshots. */
export const EXECUTE_SNAPSHOT = 'execute-snapshot';
export const STOP_SNAPSHOT = 'stop-snapshot';

/** An operator's request about incremental snapshots, from a signal's type and data. */
export type SnapshotRequest =
  | { readonly action: 'execute'; readonly tables: readonly string[] }
  /** tables null: every table of the running snapshot. */
  | { readonly action: 'stop'; readonly tables: readonly string[] | null };

/** A signal that is not a valid snapshot request; the message says what to fix. */
export class SnapshotRequestError extends Error {
  override name = 'SnapshotRequestError';
}

/**
 * Reads Debezium's execute-snapshot and stop-snapshot signals: data `{"data-collections":
 * ["schema.table", ...], "type": "incremental"}` (a JSON object, or its text as the signal table
 * holds it). Only incremental snapshots are supported; stop-snapshot without data-collections
 * stops every table.
 */
export function parseSnapshotRequest(type: string, data: unknown): SnapshotRequest {
  if (type !== EXECUTE_SNAPSHOT && type !== STOP_SNAPSHOT)
    throw new SnapshotRequestError(
      `unknown signal type "${type}": postgres-source takes ${EXECUTE_SNAPSHOT} and ${STOP_SNAPSHOT}`,
    );
  const body = typeof data === 'string' ? parseJson(data) : (data ?? {});
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new SnapshotRequestError(`${type}: data must be a JSON object`);
  const fields = body as Record<string, unknown>;
  const kind = fields['type'] ?? 'incremental';
  if (typeof kind !== 'string' || kind.toLowerCase() !== 'incremental')
    throw new SnapshotRequestError(
      `${type}: snapshot type ${JSON.stringify(kind)} is not supported; use "incremental"`,
    );
  const collections = fields['data-collections'];
  if (collections === undefined && type === STOP_SNAPSHOT) return { action: 'stop', tables: null };
  if (
    !Array.isArray(collections) ||
    collections.length === 0 ||
    !collections.every((c) => typeof c === 'string' && c.includes('.'))
  )
    throw new SnapshotRequestError(
      `${type}: data-collections must be a non-empty array of "<schema>.<table>" names`,
    );
  const tables = collections as string[];
  return type === EXECUTE_SNAPSHOT ? { action: 'execute', tables } : { action: 'stop', tables };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SnapshotRequestError(`signal data is not JSON: ${text.slice(0, 200)}`);
  }
}

/** Splits "<schema>.<table>" at its first dot. */
export function splitTableName(name: string): { schema: string; table: string } {
  const dot = name.indexOf('.');
  return { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}
