import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { pgTypeOfSchema, pgTypeOfValue } from './column-type-mapping.js';

describe('column types for auto.create', () => {
  it('maps Connect types', () => {
    const cases: [Parameters<typeof pgTypeOfSchema>[0], string][] = [
      [Schemas.INT8, 'smallint'],
      [Schemas.INT16, 'smallint'],
      [Schemas.INT32, 'integer'],
      [Schemas.INT64, 'bigint'],
      [Schemas.FLOAT32, 'real'],
      [Schemas.FLOAT64, 'double precision'],
      [Schemas.BOOLEAN, 'boolean'],
      [Schemas.STRING, 'text'],
      [Schemas.BYTES, 'bytea'],
      [Schemas.decimal(2), 'numeric'],
      [Schemas.date(), 'date'],
      [Schemas.time(), 'time'],
      [Schemas.timestamp(), 'timestamptz'],
      [SchemaBuilder.array(Schemas.STRING).build(), 'text[]'],
      [SchemaBuilder.array(Schemas.timestamp()).build(), 'timestamptz[]'],
      [SchemaBuilder.array(SchemaBuilder.array(Schemas.INT32).build()).build(), 'jsonb'],
      [SchemaBuilder.struct().field('a', Schemas.INT32).build(), 'jsonb'],
      [SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build(), 'jsonb'],
    ];
    for (const [schema, type] of cases) expect(pgTypeOfSchema(schema)).toBe(type);
  });

  it("maps Debezium's semantic types to the column types they came from", () => {
    const named = (type: 'int32' | 'int64' | 'string' | 'struct', name: string): string =>
      pgTypeOfSchema(SchemaBuilder.type(type).name(name).build());
    expect(named('int32', 'io.debezium.time.Date')).toBe('date');
    expect(named('int64', 'io.debezium.time.MicroTimestamp')).toBe('timestamp');
    expect(named('string', 'io.debezium.time.ZonedTimestamp')).toBe('timestamptz');
    expect(named('int64', 'io.debezium.time.MicroTime')).toBe('time');
    expect(named('string', 'io.debezium.time.ZonedTime')).toBe('timetz');
    expect(named('int64', 'io.debezium.time.MicroDuration')).toBe('interval');
    expect(named('string', 'io.debezium.data.Json')).toBe('jsonb');
    expect(named('string', 'io.debezium.data.Uuid')).toBe('uuid');
    expect(named('struct', 'io.debezium.data.VariableScaleDecimal')).toBe('numeric');
    expect(named('string', 'some.unknown.Name')).toBe('text');
  });

  it('guesses from values without a schema', () => {
    expect(pgTypeOfValue('x')).toBe('text');
    expect(pgTypeOfValue(3)).toBe('bigint');
    expect(pgTypeOfValue(3.5)).toBe('double precision');
    expect(pgTypeOfValue(10n ** 20n)).toBe('bigint');
    expect(pgTypeOfValue(true)).toBe('boolean');
    expect(pgTypeOfValue(Buffer.from('a'))).toBe('bytea');
    expect(pgTypeOfValue(new Date(0))).toBe('timestamptz');
    expect(pgTypeOfValue({ a: 1 })).toBe('jsonb');
    expect(pgTypeOfValue([1, 2])).toBe('jsonb');
  });
});
