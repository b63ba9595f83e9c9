import { SchemaBuilder, type Schema } from '@sluice/connect-api';

/*
 * The Connect schemas and names of Debezium's PostgreSQL events (as Debezium 2.x writes them), so
 * that with the JSON converter and schemas.enable the bytes in the log are what Debezium consumers
 * expect: `<prefix>.<schema>.<table>.Key`, `.Value`, `.Envelope`, and the shared source block
 * io.debezium.connector.postgresql.Source.
 */

const OPTIONAL_STRING = new SchemaBuilder('string').optional().build();
const STRING = new SchemaBuilder('string').build();
const INT64 = new SchemaBuilder('int64').build();
const OPTIONAL_INT64 = new SchemaBuilder('int64').optional().build();

/** source.snapshot: "true", "last", "false" (and "incremental" for ad-hoc snapshots). */
export type SnapshotMarker = 'true' | 'last' | 'false' | 'incremental';

export const SOURCE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.postgresql.Source')
  .field('version', STRING)
  .field('connector', STRING)
  .field('name', STRING)
  .field('ts_ms', INT64)
  .field(
    'snapshot',
    new SchemaBuilder('string')
      .name('io.debezium.data.Enum')
      .version(1)
      .parameter('allowed', 'true,last,false,incremental')
      .defaultValue('false')
      .optional()
      .build(),
  )
  .field('db', STRING)
  .field('sequence', OPTIONAL_STRING)
  .field('schema', STRING)
  .field('table', STRING)
  .field('txId', OPTIONAL_INT64)
  .field('lsn', OPTIONAL_INT64)
  .field('xmin', OPTIONAL_INT64)
  .build();

/** The transaction block (null unless transaction metadata is provided, which Sluice does not yet). */
export const TRANSACTION_SCHEMA: Schema = SchemaBuilder.struct()
  .name('event.block')
  .version(1)
  .field('id', STRING)
  .field('total_order', INT64)
  .field('data_collection_order', INT64)
  .optional()
  .build();

/** Debezium's source block, field for field (see SOURCE_SCHEMA). */
export interface SourceBlock {
  version: string;
  connector: 'postgresql';
  name: string;
  ts_ms: number;
  snapshot: SnapshotMarker;
  db: string;
  sequence: string | null;
  schema: string;
  table: string;
  txId: number | null;
  lsn: number | bigint | null;
  xmin: number | null;
}

/** `<prefix>.<schema>.<table>`, with characters Kafka does not allow in topic names replaced by `_`. */
export function topicName(prefix: string, schema: string, table: string): string {
  return sanitize(`${prefix}.${schema}.${table}`);
}

export function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Envelope schema for a table whose row schema is `value` (an optional struct named `<topic>.Value`). */
export function envelopeSchema(topic: string, value: Schema): Schema {
  return SchemaBuilder.struct()
    .name(`${topic}.Envelope`)
    .version(1)
    .field('before', value)
    .field('after', value)
    .field('source', SOURCE_SCHEMA)
    .field('op', STRING)
    .field('ts_ms', OPTIONAL_INT64)
    .field('transaction', TRANSACTION_SCHEMA)
    .build();
}

/** Heartbeat records: Debezium's topic `__debezium-heartbeat.<prefix>`, key {serverName}, value {ts_ms}. */
export const HEARTBEAT_KEY_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.ServerNameKey')
  .field('serverName', STRING)
  .build();

export const HEARTBEAT_VALUE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.Heartbeat')
  .field('ts_ms', INT64)
  .build();
