import { describe, expect, it } from '@jest/globals';
import { LogicalTypes, SchemaBuilder, Schemas } from '@sluice/connect-api';
import { sourceRecord } from '../testing/record-fixtures.js';
import { TimestampConverterKey, TimestampConverterValue } from './timestamp-converter.transform.js';

function configured(config: Record<string, unknown>): TimestampConverterValue {
  const t = new TimestampConverterValue();
  t.configure(config);
  return t;
}

const AT = Date.UTC(2024, 2, 5, 14, 7, 9, 123); // 2024-03-05T14:07:09.123Z
const FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

describe('TimestampConverter', () => {
  it('converts a whole schemaless value between all types', () => {
    const run = (config: Record<string, unknown>, value: unknown) =>
      configured(config).apply(sourceRecord({ value }))!.value;
    expect(run({ 'target.type': 'string', format: FORMAT }, AT)).toBe('2024-03-05T14:07:09.123Z');
    expect(run({ 'target.type': 'unix' }, '2024-03-05T14:07:09.123Z')).toBe(AT);
    expect(run({ 'target.type': 'unix', format: 'yyyyMMdd' }, '20240305')).toBe(Date.UTC(2024, 2, 5));
    expect(run({ 'target.type': 'Timestamp' }, AT)).toEqual(new Date(AT));
    expect(run({ 'target.type': 'Date' }, new Date(AT))).toEqual(new Date(Date.UTC(2024, 2, 5)));
    expect(run({ 'target.type': 'Time' }, new Date(AT))).toEqual(
      new Date((14 * 3600 + 7 * 60 + 9) * 1000 + 123),
    );
    expect(run({ 'target.type': 'string' }, new Date(AT))).toBe('2024-03-05T14:07:09.123Z');
  });

  it('reads and writes unix timestamps at the configured precision', () => {
    const run = (precision: string, target: string, value: unknown) =>
      configured({ 'target.type': target, 'unix.precision': precision }).apply(sourceRecord({ value }))!
        .value;
    expect(run('seconds', 'unix', new Date(AT))).toBe(Math.trunc(AT / 1000));
    expect(run('microseconds', 'unix', new Date(AT))).toBe(AT * 1000);
    expect(run('nanoseconds', 'unix', new Date(AT))).toBe(BigInt(AT) * 1_000_000n);
    expect(run('nanoseconds', 'Timestamp', BigInt(AT) * 1_000_000n + 999n)).toEqual(new Date(AT));
    expect(run('seconds', 'Timestamp', 1_700_000_000)).toEqual(new Date(1_700_000_000_000));
  });

  it('converts one field of a schemaless map', () => {
    const t = configured({ field: 'at', 'target.type': 'string', format: 'yyyy-MM-dd HH:mm' });
    expect(t.apply(sourceRecord({ value: { id: 1, at: AT } }))!.value).toEqual({
      id: 1,
      at: '2024-03-05 14:07',
    });
    expect(t.apply(sourceRecord({ value: { id: 1 } }))!.value).toEqual({ id: 1, at: null });
  });

  it('converts a struct field and its schema, keeping optionality', () => {
    const schema = SchemaBuilder.struct()
      .name('event')
      .field('id', Schemas.INT32)
      .field('at', Schemas.OPTIONAL_STRING)
      .build();
    const t = configured({ field: 'at', 'target.type': 'Timestamp', format: FORMAT });
    const a = t.apply(
      sourceRecord({ valueSchema: schema, value: { id: 1, at: '2024-03-05T14:07:09.123Z' } }),
    )!;
    const b = t.apply(sourceRecord({ valueSchema: schema, value: { id: 2, at: null } }))!;
    expect(b.valueSchema).toBe(a.valueSchema);
    const at = a.valueSchema!.fields![1]!.schema;
    expect([at.type, at.name, at.optional]).toEqual(['int64', LogicalTypes.TIMESTAMP, true]);
    expect(a.valueSchema!.name).toBe('event');
    expect(a.value).toEqual({ id: 1, at: new Date(AT) });
    expect(b.value).toEqual({ id: 2, at: null });
  });

  it('converts a whole schema’d value by its logical type', () => {
    const out = configured({ 'target.type': 'unix' }).apply(
      sourceRecord({ valueSchema: Schemas.date(), value: new Date(Date.UTC(2024, 0, 1)) }),
    )!;
    expect(out.valueSchema).toEqual(Schemas.INT64);
    expect(out.value).toBe(Date.UTC(2024, 0, 1));
    const tombstone = configured({ 'target.type': 'unix' }).apply(
      sourceRecord({ valueSchema: Schemas.timestamp(true), value: null }),
    )!;
    expect(tombstone.value).toBeNull();
    expect(tombstone.valueSchema).toEqual(Schemas.OPTIONAL_INT64);
  });

  it('takes ISO 8601 text only, a time without an offset as UTC', () => {
    const t = configured({ 'target.type': 'unix' });
    expect(t.apply(sourceRecord({ value: '2024-03-05T10:00:00' }))!.value).toBe(Date.UTC(2024, 2, 5, 10));
    expect(t.apply(sourceRecord({ value: '2024-03-05T10:00:00+01:00' }))!.value).toBe(
      Date.UTC(2024, 2, 5, 9),
    );
    expect(() => t.apply(sourceRecord({ value: '3/5/2024' }))).toThrow(/ISO 8601/);
  });

  it('fails unparseable or unsupported inputs as data errors', () => {
    const t = configured({ 'target.type': 'unix', format: 'yyyy-MM-dd' });
    expect(() => t.apply(sourceRecord({ value: 'March 5' }))).toThrow(/Unparseable date "March 5"/);
    expect(() => configured({ 'target.type': 'unix' }).apply(sourceRecord({ value: 'soon' }))).toThrow(
      /ISO 8601/,
    );
    expect(() => t.apply(sourceRecord({ valueSchema: Schemas.BOOLEAN, value: true }))).toThrow(
      /does not correspond to a known timestamp type/,
    );
    const schema = SchemaBuilder.struct().field('id', Schemas.INT32).build();
    expect(() =>
      configured({ field: 'at', 'target.type': 'unix' }).apply(
        sourceRecord({ valueSchema: schema, value: { id: 1 } }),
      ),
    ).toThrow(/Field does not exist: at/);
  });

  it('works on keys', () => {
    const t = new TimestampConverterKey();
    t.configure({ 'target.type': 'Date' });
    expect(t.apply(sourceRecord({ key: AT }))!.key).toEqual(new Date(Date.UTC(2024, 2, 5)));
  });

  it('names every bad setting', () => {
    expect(() =>
      configured({ 'target.type': 'Instant', format: 'yyyy-qq', 'unix.precision': 'days' }),
    ).toThrow(/target\.type.*format.*unix\.precision|target\.type.*unix\.precision.*format/);
    expect(() => configured({})).toThrow(/target\.type is required/);
  });
});
