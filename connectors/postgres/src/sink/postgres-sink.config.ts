import { ConfigField } from '@sluice/connect-api';
import { IsBoolean, IsIn, IsInt, IsString, Max, Min, MinLength } from 'class-validator';

export const INSERT_MODES = ['insert', 'upsert', 'update'] as const;
export type InsertMode = (typeof INSERT_MODES)[number];
export const PK_MODES = ['none', 'record_key', 'record_value', 'kafka'] as const;
export type PkMode = (typeof PK_MODES)[number];

/** Column names of pk.mode=kafka when pk.fields does not name them (Confluent's). */
export const KAFKA_PK_COLUMNS = ['__connect_topic', '__connect_partition', '__connect_offset'] as const;

/**
 * postgres-sink settings. Names and defaults follow Confluent's JDBC sink, so its configs carry
 * over; `exactly.once`, `offsets.table` and `truncate.enabled` are Sluice's own.
 */
export class PostgresSinkConfig {
  @ConfigField({
    doc: 'The target database: postgres://user:pass@host:5432/db or jdbc:postgresql://host:5432/db?user=...&password=... (sslmode, ssl, currentSchema and ApplicationName are read from the query). Several hosts (h1:5432,h2:5432) are tried in order; target_session_attrs=read-write (pgjdbc: targetServerType=primary) skips those whose sessions are read-only, so the sink follows a failover.',
    required: true,
    importance: 'HIGH',
    group: 'Connection',
  })
  @IsString()
  @MinLength(1)
  'connection.url' = '';

  @ConfigField({ doc: 'User to connect as (overrides one in connection.url).', group: 'Connection' })
  @IsString()
  'connection.user' = '';

  @ConfigField({
    doc: 'Password of connection.user (overrides one in connection.url).',
    secret: true,
    group: 'Connection',
  })
  @IsString()
  'connection.password' = '';

  @ConfigField({
    doc: 'insert: plain INSERTs (a duplicate key is an error); upsert: INSERT ... ON CONFLICT DO UPDATE (idempotent, needs a primary key); update: UPDATE existing rows only.',
    group: 'Writes',
  })
  @IsIn(INSERT_MODES)
  'insert.mode': InsertMode = 'insert';

  @ConfigField({
    doc: 'Where the primary key comes from. none: no key; record_key: the record key (a struct: its fields, or those named in pk.fields; a primitive: one column named by pk.fields); record_value: fields of the value named in pk.fields (all when empty); kafka: topic, partition and offset as __connect_topic, __connect_partition, __connect_offset (or the three names in pk.fields).',
    group: 'Writes',
  })
  @IsIn(PK_MODES)
  'pk.mode': PkMode = 'none';

  @ConfigField({ doc: 'Primary key column names; their meaning depends on pk.mode.', group: 'Writes' })
  'pk.fields': string[] = [];

  @ConfigField({
    doc: 'Delete rows: for records with a null value (tombstones, pk.mode=record_key) and for Debezium envelopes with op=d (pk.mode record_key or record_value, the key read from before). When false such records are skipped.',
    group: 'Writes',
  })
  @IsBoolean()
  'delete.enabled' = false;

  @ConfigField({
    doc: 'Truncate the table for Debezium envelopes with op=t. When false they are skipped.',
    group: 'Writes',
  })
  @IsBoolean()
  'truncate.enabled' = false;

  @ConfigField({
    doc: 'The target table: ${topic}, ${source.schema} and ${source.table} (from a Debezium envelope) are replaced; a literal dot separates schema and table (first dot only). Unqualified tables go to the current schema.',
    group: 'Tables',
  })
  @IsString()
  @MinLength(1)
  'table.name.format' = '${topic}';

  @ConfigField({
    doc: 'Create missing tables from the record schema (CREATE TABLE with the primary key of pk.mode).',
    group: 'Tables',
  })
  @IsBoolean()
  'auto.create' = false;

  @ConfigField({
    doc: 'Add columns for new record fields (ALTER TABLE ... ADD COLUMN, always nullable). Columns are never dropped or retyped.',
    group: 'Tables',
  })
  @IsBoolean()
  'auto.evolve' = false;

  @ConfigField({
    doc: 'Most records per database transaction. Records are gathered across put() calls while the previous batch is being written, up to this many; each batch is written with COPY into a staging table and one statement per operation. Raise it with consumer.override.max.poll.records for bulk loads.',
    group: 'Writes',
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  'batch.size' = 3000;

  @ConfigField({
    doc: 'Retries of a batch after a transient error (connection lost, serialization failure, deadlock, server shutting down or starting), reconnecting first; then the task fails.',
    group: 'Retries',
  })
  @IsInt()
  @Min(0)
  'max.retries' = 10;

  @ConfigField({ doc: 'Wait before each retry (ms).', group: 'Retries' })
  @IsInt()
  @Min(0)
  'retry.backoff.ms' = 3000;

  @ConfigField({
    doc: 'Store the consumed offsets in offsets.table in the same transaction as the rows and resume from them: each record lands exactly once, whatever crashes.',
    group: 'Delivery',
  })
  @IsBoolean()
  'exactly.once' = false;

  @ConfigField({
    doc: 'Table for exactly.once offsets (schema.table or table), created when missing.',
    group: 'Delivery',
  })
  @IsString()
  @MinLength(1)
  'offsets.table' = '__sluice_sink_offsets';
}

/** Cross-field rules the DTO cannot express; field and message for each broken one. */
export function checkSinkConfig(config: PostgresSinkConfig): { field: string; messages: string[] }[] {
  const errors: { field: string; messages: string[] }[] = [];
  const pkMode = config['pk.mode'];
  const pkFields = config['pk.fields'];
  if (config['insert.mode'] !== 'insert' && pkMode === 'none')
    errors.push({
      field: 'insert.mode',
      messages: [
        `insert.mode=${config['insert.mode']} needs a primary key: set pk.mode to record_key, record_value or kafka`,
      ],
    });
  if (config['delete.enabled'] && pkMode !== 'record_key' && pkMode !== 'record_value')
    errors.push({
      field: 'delete.enabled',
      messages: [
        'delete.enabled=true needs pk.mode=record_key (tombstones and envelopes) or record_value (envelopes, key read from before)',
      ],
    });
  if (pkMode === 'kafka' && pkFields.length !== 0 && pkFields.length !== 3)
    errors.push({
      field: 'pk.fields',
      messages: ['pk.mode=kafka takes three pk.fields (topic, partition and offset columns) or none'],
    });
  if (pkMode === 'none' && pkFields.length > 0)
    errors.push({ field: 'pk.fields', messages: ['pk.fields is set but pk.mode=none uses no key'] });
  if (new Set(pkFields).size !== pkFields.length)
    errors.push({ field: 'pk.fields', messages: ['pk.fields names a column twice'] });
  return errors;
}
