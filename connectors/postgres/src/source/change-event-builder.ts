import type { SourceRecord } from '@sluice/connect-api';
import {
  HEARTBEAT_KEY_SCHEMA,
  HEARTBEAT_VALUE_SCHEMA,
  sanitize,
  type SnapshotMarker,
  type SourceBlock,
} from './debezium-schemas.js';
import type { TableSchema } from './table-schema.js';
import { VERSION } from './version.js';

export type EnvelopeOp = 'c' | 'u' | 'd' | 'r' | 't';

/** Where an event came from: the parts of Debezium's source block that vary per event. */
export interface EventOrigin {
  /** Commit time (stream) or read time (snapshot), ms since the epoch. */
  readonly tsMs: number;
  readonly snapshot: SnapshotMarker;
  readonly txId: number | null;
  readonly lsn: number | bigint | null;
  /** Debezium's sequence: JSON ["<last commit lsn>", "<lsn>"] as decimal strings, or null. */
  readonly sequence: string | null;
}

/**
 * Builds the records postgres-source emits, in Debezium's shapes: change events (envelope with
 * before/after/source/op/ts_ms), tombstones and heartbeats. Every record of a task shares one
 * source partition object, which the runtime's offset tracking relies on to stay cheap.
 */
export class ChangeEventBuilder {
  readonly heartbeatTopic: string;
  private readonly heartbeatKey: { serverName: string };

  constructor(
    private readonly serverName: string,
    private readonly database: string,
    readonly sourcePartition: Readonly<Record<string, string>>,
    heartbeatPrefix: string,
  ) {
    this.heartbeatTopic = sanitize(`${heartbeatPrefix}.${serverName}`);
    this.heartbeatKey = { serverName };
  }

  change(
    table: TableSchema,
    op: EnvelopeOp,
    key: Record<string, unknown> | null,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
    origin: EventOrigin,
    offset: Readonly<Record<string, unknown>>,
  ): SourceRecord {
    const source: SourceBlock = {
      version: VERSION,
      connector: 'postgresql',
      name: this.serverName,
      ts_ms: origin.tsMs,
      snapshot: origin.snapshot,
      db: this.database,
      sequence: origin.sequence,
      schema: table.descriptor.schema,
      table: table.descriptor.table,
      txId: origin.txId,
      lsn: origin.lsn,
      xmin: null,
    };
    const now = Date.now();
    return {
      topic: table.topic,
      kafkaPartition: null,
      keySchema: table.keySchema,
      key,
      valueSchema: table.envelopeSchema,
      value: { before, after, source, op, ts_ms: now, transaction: null },
      timestamp: now,
      headers: [],
      sourcePartition: this.sourcePartition,
      sourceOffset: offset,
    };
  }

  /** The record after a delete that lets log compaction drop the key: same key, null value. */
  tombstone(of: SourceRecord, offset: Readonly<Record<string, unknown>>): SourceRecord {
    return { ...of, valueSchema: null, value: null, sourceOffset: offset };
  }

  heartbeat(offset: Readonly<Record<string, unknown>>): SourceRecord {
    const now = Date.now();
    return {
      topic: this.heartbeatTopic,
      kafkaPartition: null,
      keySchema: HEARTBEAT_KEY_SCHEMA,
      key: this.heartbeatKey,
      valueSchema: HEARTBEAT_VALUE_SCHEMA,
      value: { ts_ms: now },
      timestamp: now,
      headers: [],
      sourcePartition: this.sourcePartition,
      sourceOffset: offset,
    };
  }
}
