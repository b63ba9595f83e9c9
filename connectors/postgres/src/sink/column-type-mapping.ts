import { LogicalTypes, type Schema } from '@sluice/connect-api';
import { DebeziumNames } from './debezium-names.js';

/**
 * The column type auto.create and auto.evolve give a Connect schema. Logical and Debezium names
 * win over the wire type (a Date is an int32 on the wire but a date column). Timestamp maps to
 * timestamptz: a Connect Timestamp is an instant (ms since the epoch), which is what timestamptz
 * holds; Debezium's io.debezium.time.*Timestamp come from `timestamp without time zone` columns
 * and go back to that. Structs and maps become jsonb, arrays the array of their element type
 * (jsonb when the elements are themselves arrays, structs or maps: Postgres arrays are
 * rectangular and cannot hold rows).
 */
const BY_NAME: Readonly<Record<string, string>> = {
  [LogicalTypes.DECIMAL]: 'numeric',
  [LogicalTypes.DATE]: 'date',
  [LogicalTypes.TIME]: 'time',
  [LogicalTypes.TIMESTAMP]: 'timestamptz',
  [DebeziumNames.DATE]: 'date',
  [DebeziumNames.TIME]: 'time',
  [DebeziumNames.MICRO_TIME]: 'time',
  [DebeziumNames.NANO_TIME]: 'time',
  [DebeziumNames.ZONED_TIME]: 'timetz',
  [DebeziumNames.TIMESTAMP]: 'timestamp',
  [DebeziumNames.MICRO_TIMESTAMP]: 'timestamp',
  [DebeziumNames.NANO_TIMESTAMP]: 'timestamp',
  [DebeziumNames.ZONED_TIMESTAMP]: 'timestamptz',
  [DebeziumNames.MICRO_DURATION]: 'interval',
  [DebeziumNames.INTERVAL]: 'interval',
  [DebeziumNames.JSON]: 'jsonb',
  [DebeziumNames.UUID]: 'uuid',
  [DebeziumNames.XML]: 'xml',
  [DebeziumNames.ENUM]: 'text',
  [DebeziumNames.BITS]: 'bytea',
  [DebeziumNames.VARIABLE_SCALE_DECIMAL]: 'numeric',
  [DebeziumNames.LTREE]: 'text',
};

const BY_TYPE: Readonly<Record<string, string>> = {
  int8: 'smallint',
  int16: 'smallint',
  int32: 'integer',
  int64: 'bigint',
  float32: 'real',
  float64: 'double precision',
  boolean: 'boolean',
  string: 'text',
  bytes: 'bytea',
  struct: 'jsonb',
  map: 'jsonb',
};

export function pgTypeOfSchema(schema: Schema): string {
  if (schema.name !== undefined) {
    const named = BY_NAME[schema.name];
    if (named !== undefined) return named;
  }
  if (schema.type === 'array') {
    const element = schema.valueSchema;
    if (!element || element.type === 'array' || element.type === 'struct' || element.type === 'map')
      return 'jsonb';
    return `${pgTypeOfSchema(element)}[]`;
  }
  return BY_TYPE[schema.type] ?? 'text';
}

/**
 * For schemaless values (JSON without schemas): a best guess from the first value seen. Numbers
 * become double precision unless integral (bigint), so a column first seen as 3 then 3.5 fails
 * the second row rather than silently truncating it.
 */
export function pgTypeOfValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'bigint';
    case 'number':
      return Number.isInteger(value) ? 'bigint' : 'double precision';
  }
  if (Buffer.isBuffer(value)) return 'bytea';
  if (value instanceof Date) return 'timestamptz';
  return 'jsonb';
}
