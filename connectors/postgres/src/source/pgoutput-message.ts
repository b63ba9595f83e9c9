import type { Lsn } from './lsn.js';

/*
 * The messages of PostgreSQL's pgoutput plugin, protocol version 1, as pgoutput-decoder.ts decodes
 * them. Column values stay in the server's text form: converting them is the table schema's job,
 * which knows the column types and the connector's handling modes.
 */

/** An unchanged TOASTed value: the server did not send it because the update did not touch it. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');

/** One column of a tuple: its text form, null, or UNCHANGED_TOAST. */
export type TupleValue = string | null | typeof UNCHANGED_TOAST;

export interface BeginMessage {
  readonly tag: 'begin';
  /** LSN of the commit record: orders transactions, and is what snapshots are compared with. */
  readonly finalLsn: Lsn;
  /** Commit time, milliseconds since the epoch. */
  readonly commitTimeMs: number;
  /** Commit time, microseconds since the epoch. */
  readonly commitTimeUs: bigint;
  readonly xid: number;
}

export interface CommitMessage {
  readonly tag: 'commit';
  readonly commitLsn: Lsn;
  /** End of the commit record: the position to acknowledge once the transaction is durable. */
  readonly endLsn: Lsn;
  readonly commitTimeMs: number;
}

export interface RelationColumn {
  /** Part of the replica identity. */
  readonly isKey: boolean;
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
}

export type ReplicaIdentity = 'default' | 'nothing' | 'full' | 'index';

export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationOid: number;
  readonly schema: string;
  readonly table: string;
  readonly replicaIdentity: ReplicaIdentity;
  readonly columns: readonly RelationColumn[];
}

export interface TypeMessage {
  readonly tag: 'type';
  readonly typeOid: number;
  readonly schema: string;
  readonly name: string;
}

export interface InsertMessage {
  readonly tag: 'insert';
  readonly relationOid: number;
  readonly newTuple: TupleValue[];
}

export interface UpdateMessage {
  readonly tag: 'update';
  readonly relationOid: number;
  /** 'K': only the old replica identity columns (the key changed); 'O': the whole old row (REPLICA IDENTITY FULL). */
  readonly oldKind: 'K' | 'O' | null;
  readonly oldTuple: TupleValue[] | null;
  readonly newTuple: TupleValue[];
}

export interface DeleteMessage {
  readonly tag: 'delete';
  readonly relationOid: number;
  readonly oldKind: 'K' | 'O';
  readonly oldTuple: TupleValue[];
}

export interface TruncateMessage {
  readonly tag: 'truncate';
  readonly relationOids: number[];
  readonly cascade: boolean;
  readonly restartIdentity: boolean;
}

export interface OriginMessage {
  readonly tag: 'origin';
  readonly originLsn: Lsn;
  readonly name: string;
}

export interface LogicalMessage {
  readonly tag: 'message';
  readonly transactional: boolean;
  readonly lsn: Lsn;
  readonly prefix: string;
  readonly content: Buffer;
}

export type PgoutputMessage =
  | BeginMessage
  | CommitMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | OriginMessage
  | LogicalMessage;

export type ChangeMessage = InsertMessage | UpdateMessage | DeleteMessage;
