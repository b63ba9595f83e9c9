import type pg from 'pg';
import { quoteIdent } from './pg-session.js';
import type { ReplicationSignalRow } from './signal-row.js';
import { splitTableName } from './snapshot-request.js';

export type WatermarkKind = 'open' | 'close';

/** A chunk's watermark as seen in the change stream. */
export interface Watermark {
  readonly chunkId: string;
  readonly kind: WatermarkKind;
}

/** Debezium's signal types of the rows that open and close a chunk's window. */
const SIGNAL_TYPES: Readonly<Record<WatermarkKind, string>> = {
  open: 'snapshot-window-open',
  close: 'snapshot-window-close',
};
/** Prefix of the logical decoding messages used when there is no signal table. */
export const WATERMARK_MESSAGE_PREFIX = 'sluice.incremental-snapshot';

/**
 * Writes the low (open) and high (close) watermark of an incremental snapshot chunk into the WAL,
 * each in a transaction of its own committed before the call returns: the chunk is read between
 * the two, so the stream shows exactly which changes may be newer than the chunk's rows.
 */
export interface WatermarkWriter {
  /** How, for logs. */
  readonly method: string;
  write(client: pg.Client, chunkId: string, kind: WatermarkKind): Promise<void>;
}

/** Debezium's way: rows of the signal table (its inserts are in the publication). */
export function signalTableWatermarks(signalTable: string): WatermarkWriter {
  const { schema, table } = splitTableName(signalTable);
  const sql = `INSERT INTO ${quoteIdent(schema)}.${quoteIdent(table)} (id, type, data) VALUES ($1, $2, NULL)`;
  return {
    method: `rows of signal table ${signalTable}`,
    async write(client, chunkId, kind) {
      await client.query(sql, [`${chunkId}-${kind}`, SIGNAL_TYPES[kind]]);
    },
  };
}

/**
 * Without a signal table: transactional logical decoding messages (pg_logical_emit_message, which
 * needs the REPLICATION attribute the connector has anyway, and PostgreSQL 14+ to stream them).
 * They are ordered with the commits around them exactly as signal-table rows are.
 */
export function logicalMessageWatermarks(): WatermarkWriter {
  return {
    method: 'logical decoding messages',
    async write(client, chunkId, kind) {
      await client.query('SELECT pg_logical_emit_message(true, $1, $2)', [
        WATERMARK_MESSAGE_PREFIX,
        `${chunkId}-${kind}`,
      ]);
    },
  };
}

function parseId(id: string): Watermark | null {
  const m = /^(.+)-(open|close)$/.exec(id);
  return m ? { chunkId: m[1]!, kind: m[2] as WatermarkKind } : null;
}

export function watermarkOfSignal(row: ReplicationSignalRow): Watermark | null {
  const parsed = parseId(row.id);
  return parsed && SIGNAL_TYPES[parsed.kind] === row.type ? parsed : null;
}

export function watermarkOfMessage(prefix: string, content: Buffer): Watermark | null {
  return prefix === WATERMARK_MESSAGE_PREFIX ? parseId(content.toString('utf8')) : null;
}

export function isWatermarkSignal(type: string): boolean {
  return type === SIGNAL_TYPES.open || type === SIGNAL_TYPES.close;
}
