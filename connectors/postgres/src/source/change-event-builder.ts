import type { SourceRecord } from '@sluice/connect-api';
import {
  HEARTBEAT_KEY_SCHEMA,
  HEARTBEAT_VALUE_SCHEMA,
  sanitize,
  type SnapshotMarker,
  type SourceBlock,
} from './debezium-schemas.js';
import type { RowImage, TableSchema } from './table-schema.js';
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
  /** Per table, the constant parts of its events' source block text. */
  private readonly sourceTexts = new WeakMap<TableSchema, { head: string; db: string; table: string }>();

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
    before: RowImage | null,
    after: RowImage | null,
    origin: EventOrigin,
    offset: Readonly<Record<string, unknown>>,
  ): SourceRecord {
    const now = Date.now();
    const beforeJson = before === null ? 'null' : before.json;
    const afterJson = after === null ? 'null' : after.json;
    return {
      topic: table.topic,
      kafkaPartition: null,
      keySchema: table.keySchema,
      key,
      valueSchema: table.envelopeSchema,
      value: {
        before: before?.value ?? null,
        after: after?.value ?? null,
        source: this.source(table, origin),
        op,
        ts_ms: now,
        transaction: null,
      },
      // the envelope's text from the rows' texts: numbers the server printed are not printed again
      valueJson:
        beforeJson === undefined || afterJson === undefined
          ? undefined
          : `{"before":${beforeJson},"after":${afterJson},"source":${this.sourceJson(table, origin)},"op":"${op}","ts_ms":${now},"transaction":null}`,
      timestamp: now,
      headers: [],
      sourcePartition: this.sourcePartition,
      sourceOffset: offset,
    };
  }

  private source(table: TableSchema, origin: EventOrigin): SourceBlock {
    return {
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
  }

  /** The source block's JSON text, as JsonConverter writes it (see SOURCE_SCHEMA). */
  private sourceJson(table: TableSchema, origin: EventOrigin): string {
    let texts = this.sourceTexts.get(table);
    if (texts === undefined) {
      const q = JSON.stringify;
      texts = {
        head: `{"version":${q(VERSION)},"connector":"postgresql","name":${q(this.serverName)},"ts_ms":`,
        db: `","db":${q(this.database)},"sequence":`,
        table: `,"schema":${q(table.descriptor.schema)},"table":${q(table.descriptor.table)},"txId":`,
      };
      this.sourceTexts.set(table, texts);
    }
    const { sequence, txId, lsn } = origin;
    return (
      `${texts.head}${origin.tsMs},"snapshot":"${origin.snapshot}${texts.db}` +
      `${sequence === null ? 'null' : JSON.stringify(sequence)}${texts.table}` +
      `${txId === null ? 'null' : txId},"lsn":${lsn === null ? 'null' : lsn},"xmin":null}`
    );
  }

  /** The record after a delete that lets log compaction drop the key: same key, null value. */
  tombstone(of: SourceRecord, offset: Readonly<Record<string, unknown>>): SourceRecord {
    return {
      topic: of.topic,
      kafkaPartition: of.kafkaPartition,
      keySchema: of.keySchema,
      key: of.key,
      valueSchema: null,
      value: null,
      timestamp: of.timestamp,
      headers: of.headers,
      sourcePartition: of.sourcePartition,
      sourceOffset: offset,
    };
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
