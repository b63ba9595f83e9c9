import { ConnectError } from '@sluice/connect-api';
import type pg from 'pg';
import { parseLsn, type Lsn } from './lsn.js';
import { sqlState } from './pg-errors.js';
import { quoteIdent } from './pg-session.js';

export interface SlotInfo {
  readonly name: string;
  readonly plugin: string | null;
  readonly database: string | null;
  readonly slotType: string;
  readonly confirmedFlush: Lsn | null;
  readonly restartLsn: Lsn | null;
  readonly active: boolean;
  readonly activePid: number | null;
}

/** The slot named `name`, or null. `client` is a normal (not walsender) connection. */
export async function slotInfo(client: pg.Client, name: string): Promise<SlotInfo | null> {
  const { rows } = await client.query<Record<string, string | boolean | number | null>>(
    `SELECT slot_name, plugin, database, slot_type, confirmed_flush_lsn::text AS confirmed,
            restart_lsn::text AS restart, active, active_pid
     FROM pg_replication_slots WHERE slot_name = $1`,
    [name],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    name: String(row['slot_name']),
    plugin: row['plugin'] === null ? null : String(row['plugin']),
    database: row['database'] === null ? null : String(row['database']),
    slotType: String(row['slot_type']),
    confirmedFlush: typeof row['confirmed'] === 'string' ? parseLsn(row['confirmed']) : null,
    restartLsn: typeof row['restart'] === 'string' ? parseLsn(row['restart']) : null,
    active: row['active'] === true,
    activePid: row['active_pid'] === null ? null : Number(row['active_pid']),
  };
}

/** Why an existing slot cannot serve this connector, or null when it can. */
export function slotMismatch(slot: SlotInfo, database: string): string | null {
  if (slot.slotType !== 'logical') return `slot ${slot.name} is a ${slot.slotType} slot, not a logical one`;
  if (slot.plugin !== 'pgoutput')
    return `slot ${slot.name} decodes with ${slot.plugin}, not pgoutput: drop it or choose another slot.name`;
  if (slot.database !== database)
    return `slot ${slot.name} belongs to database ${slot.database}, not ${database}: choose another slot.name`;
  return null;
}

export interface CreatedSlot {
  /** From here on the slot streams every commit; the exported snapshot holds exactly those before. */
  readonly consistentPoint: Lsn;
  /** The exported snapshot (valid while `replication` stays open and runs no other command). */
  readonly snapshotName: string | null;
}

/**
 * Creates a pgoutput slot on a walsender connection, exporting its snapshot when asked. A
 * temporary slot disappears with the connection: used to get a consistent snapshot (and its
 * position) without a second permanent slot.
 */
/** PostgreSQL's limit on identifiers, slot names included (NAMEDATALEN - 1). */
const MAX_SLOT_NAME = 63;

/** The name of a temporary slot beside `slot` for process `pid`, cut to fit the limit. */
export function temporarySlotName(slot: string, pid: number): string {
  const suffix = `_snap_${pid}`;
  return slot.slice(0, MAX_SLOT_NAME - suffix.length) + suffix;
}

export async function createSlot(
  replication: pg.Client,
  name: string,
  options: { exportSnapshot: boolean; temporary?: boolean },
): Promise<CreatedSlot> {
  const sql =
    `CREATE_REPLICATION_SLOT ${quoteIdent(name)}${options.temporary ? ' TEMPORARY' : ''} LOGICAL pgoutput ` +
    (options.exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT');
  const { rows } = await replication.query<Record<string, string | null>>(sql);
  const row = rows[0];
  if (!row?.['consistent_point'])
    throw new ConnectError(`CREATE_REPLICATION_SLOT ${name} returned no position`);
  return { consistentPoint: parseLsn(row['consistent_point']), snapshotName: row['snapshot_name'] ?? null };
}

/**
 * Drops a slot, waiting (up to `timeoutMs`) while it is still active: a walsender exits a moment
 * after its client goes. Returns false when there was no such slot.
 */
export async function dropSlot(client: pg.Client, name: string, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { rows } = await client.query(
        'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1',
        [name],
      );
      return rows.length > 0;
    } catch (err) {
      if (sqlState(err) !== '55006' || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
