import { describe, expect, it } from '@jest/globals';
import { DataError, SchemaBuilder, Schemas } from '@sluice/connect-api';
import { codecOf, copyField, jsonText, pgText } from './pg-text-encoder.js';

const col = (typname: string, elem: string | null = null) => codecOf(typname, elem);
const named = (type: 'int32' | 'int64' | 'struct', name: string) =>
  SchemaBuilder.type(type).name(name).build();

describe('values as Postgres text', () => {
  it('writes primitives, NULL and non-finite floats', () => {
    expect(pgText(null, null, col('int4'))).toBeNull();
    expect(pgText(undefined, null, col('text'))).toBeNull();
    expect(pgText(42, Schemas.INT32, col('int4'))).toBe('42');
    expect(pgText(2n ** 63n - 1n, Schemas.INT64, col('int8'))).toBe('9223372036854775807');
    expect(pgText(NaN, Schemas.FLOAT64, col('float8'))).toBe('NaN');
    expect(pgText(-Infinity, Schemas.FLOAT64, col('float8'))).toBe('-Infinity');
    expect(pgText(true, Schemas.BOOLEAN, col('bool'))).toBe('true');
    expect(pgText('12.30', Schemas.decimal(2), col('numeric'))).toBe('12.30');
  });

  it('writes Dates by the column they go into', () => {
    const d = new Date(Date.UTC(2024, 1, 29, 13, 45, 6, 789));
    expect(pgText(d, Schemas.timestamp(), col('timestamptz'))).toBe('2024-02-29 13:45:06.789000+00');
    expect(pgText(d, Schemas.timestamp(), col('timestamp'))).toBe('2024-02-29 13:45:06.789000');
    expect(pgText(d, Schemas.date(), col('date'))).toBe('2024-02-29');
    expect(pgText(d, Schemas.time(), col('time'))).toBe('13:45:06.789000');
    expect(pgText(new Date(Date.UTC(-100, 0, 1)), null, col('date'))).toBe('0101-01-01 BC');
    expect(pgText(new Date(Date.UTC(12345, 0, 1)), null, col('date'))).toBe('12345-01-01');
  });

  it("decodes Debezium's temporal numbers", () => {
    expect(pgText(19782, named('int32', 'io.debezium.time.Date'), col('date'))).toBe('2024-02-29');
    expect(
      pgText(1_709_214_306_789_123n, named('int64', 'io.debezium.time.MicroTimestamp'), col('timestamp')),
    ).toBe('2024-02-29 13:45:06.789123');
    expect(pgText(-1, named('int64', 'io.debezium.time.MicroTimestamp'), col('timestamp'))).toBe(
      '1969-12-31 23:59:59.999999',
    );
    expect(
      pgText(
        1_709_214_306_789_123_456n,
        named('int64', 'io.debezium.time.NanoTimestamp'),
        col('timestamptz'),
      ),
    ).toBe('2024-02-29 13:45:06.789123+00');
    expect(pgText(49_506_789_123, named('int64', 'io.debezium.time.MicroTime'), col('time'))).toBe(
      '13:45:06.789123',
    );
    expect(pgText(86_400_000_000, named('int64', 'io.debezium.time.MicroTime'), col('time'))).toBe(
      '24:00:00.000000',
    );
    expect(pgText(3_600_000_001, named('int64', 'io.debezium.time.MicroDuration'), col('interval'))).toBe(
      '3600000001 microseconds',
    );
    expect(pgText(1000, named('int64', 'org.apache.kafka.connect.data.Timestamp'), col('timestamptz'))).toBe(
      '1970-01-01 00:00:01.000000+00',
    );
  });

  it('reads bare numbers into temporal columns as Connect wire forms', () => {
    expect(pgText(1, null, col('date'))).toBe('1970-01-02');
    expect(pgText(1500, null, col('timestamptz'))).toBe('1970-01-01 00:00:01.500000+00');
    expect(pgText(1_709_208_000_000, null, col('timestamp'))).toBe('2024-02-29 12:00:00.000000');
    expect(pgText(43_200_000, null, col('time'))).toBe('12:00:00.000000');
  });

  it('refuses bare numbers that only another unit makes a date of (micro- or nanoseconds)', () => {
    // Debezium's MicroTimestamp without its schema: the year 56132 as milliseconds
    expect(() => pgText(1_709_208_000_000_001, null, col('timestamp'))).toThrow(
      /1709208000000001 read as milliseconds since the epoch is past the year 9999/,
    );
    expect(() => pgText(1_709_208_000_000_001n, null, col('timestamptz'))).toThrow(DataError);
    expect(() => pgText(43_200_000_000, null, col('time'))).toThrow(
      /milliseconds since midnight is past a day/,
    );
    expect(() => pgText(19_782_000, null, col('date'))).toThrow(/days since the epoch/);
  });

  it('writes bytes as bytea hex, base64 elsewhere', () => {
    expect(pgText(Buffer.from([0, 255]), Schemas.BYTES, col('bytea'))).toBe('\\x00ff');
    expect(pgText(Buffer.from('hi'), Schemas.BYTES, col('text'))).toBe('aGk=');
  });

  it('writes arrays as array literals and structures as JSON', () => {
    const arr = SchemaBuilder.array(Schemas.OPTIONAL_STRING).build();
    expect(pgText(['a', 'b,c', 'q"\\', null], arr, col('_text', 'text'))).toBe('{"a","b,c","q\\"\\\\",NULL}');
    expect(
      pgText(
        [
          [1, 2],
          [3, 4],
        ],
        null,
        col('_int4', 'int4'),
      ),
    ).toBe('{{"1","2"},{"3","4"}}');
    expect(pgText([Buffer.from([1])], null, col('_bytea', 'bytea'))).toBe('{"\\\\x01"}');
    expect(pgText([1, 2], null, col('jsonb'))).toBe('[1,2]');
    expect(pgText({ a: 1n, b: [Buffer.from('x')], c: new Map([['k', null]]) }, null, col('jsonb'))).toBe(
      '{"a":1,"b":["eA=="],"c":{"k":null}}',
    );
    expect(pgText('{"already":"json"}', null, col('jsonb'))).toBe('{"already":"json"}');
  });

  it('decodes VariableScaleDecimal structs', () => {
    const s = named('struct', 'io.debezium.data.VariableScaleDecimal');
    expect(pgText({ scale: 2, value: Buffer.from([0x04, 0xd2]) }, s, col('numeric'))).toBe('12.34');
    expect(pgText({ scale: 3, value: Buffer.from([0xff]) }, s, col('numeric'))).toBe('-0.001');
    expect(pgText({ scale: -2, value: Buffer.from([0x05]) }, s, col('numeric'))).toBe('500');
  });

  it('escapes COPY text fields', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('plain')).toBe('plain');
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField('\\N')).toBe('\\\\N');
  });

  it('writes exact JSON', () => {
    expect(jsonText({ big: 2n ** 70n, nan: NaN, d: new Date(0) })).toBe(
      '{"big":1180591620717411303424,"nan":null,"d":"1970-01-01T00:00:00.000Z"}',
    );
  });
});
