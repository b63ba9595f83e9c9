import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas, type Schema } from '@sluice/connect-api';
import { InsertFieldKey, InsertFieldValue } from './insert-field.transform.js';
import { sinkRecord, sourceRecord } from '../testing/record-fixtures.js';

const valueSchema = SchemaBuilder.struct().name('order').version(2).field('id', Schemas.INT32).build();

function configured(config: Record<string, unknown>): InsertFieldValue {
  const t = new InsertFieldValue();
  t.configure(config);
  return t;
}

describe('InsertField', () => {
  const all = {
    'topic.field': 'topic',
    'partition.field': 'partition!',
    'offset.field': 'offset?',
    'timestamp.field': 'ts',
    'static.field': 'origin',
    'static.value': 'pg',
  };

  it('inserts metadata into a schemaless value without touching the input', () => {
    const input = { id: 7 };
    const out = configured(all).apply(sinkRecord({ value: input }))!;
    expect(out.value).toEqual({
      id: 7,
      topic: 'orders',
      partition: 3,
      offset: 1234,
      ts: 1_700_000_000_000,
      origin: 'pg',
    });
    expect(input).toEqual({ id: 7 });
  });

  it("appends to a schemaless value's JSON text what it inserts, as the converter would write it", () => {
    const t = configured(all);
    const out = t.apply(sinkRecord({ value: { id: 7 }, valueJson: '{"id":7}' }))!;
    expect(out.valueJson).toBe(
      '{"id":7,"topic":"orders","partition":3,"offset":1234,"ts":1700000000000,"origin":"pg"}',
    );
    expect(JSON.parse(out.valueJson!)).toEqual(out.value);
    // an empty object, fields in InsertField's order (topic, partition, offset, timestamp, static)
    const source = configured({ 'partition.field': 'p', 'topic.field': 't' }).apply(
      sourceRecord({ value: {}, valueJson: '{}' }),
    )!;
    expect(source.valueJson).toBe('{"t":"orders","p":3}');
    expect(JSON.parse(source.valueJson!)).toEqual(source.value);
    // a converter's text may have spaces: appended to only between its braces
    const spaced = configured({ 'topic.field': 't' });
    expect(spaced.apply(sinkRecord({ value: {}, valueJson: '{ }' }))!.valueJson).toBe('{"t":"orders"}');
    expect(spaced.apply(sinkRecord({ value: { a: 1 }, valueJson: '{"a": 1} ' }))!.valueJson).toBeUndefined();
    // a field the value has already would be written twice: no text then
    expect(t.apply(sinkRecord({ value: { ts: 1 }, valueJson: '{"ts":1}' }))!.valueJson).toBeUndefined();
  });

  it('keeps Maps as Maps', () => {
    const out = configured({ 'topic.field': 'topic' }).apply(sourceRecord({ value: new Map([['id', 1]]) }))!;
    expect(out.value).toEqual(
      new Map<string, unknown>([
        ['id', 1],
        ['topic', 'orders'],
      ]),
    );
  });

  it('extends a struct schema with typed fields and caches it per input schema', () => {
    const t = configured(all);
    const a = t.apply(sinkRecord({ valueSchema, value: { id: 1 } }))!;
    const b = t.apply(sinkRecord({ valueSchema, value: { id: 2 } }))!;
    const schema = a.valueSchema!;
    expect(b.valueSchema).toBe(schema);
    expect(schema.name).toBe('order');
    expect(schema.version).toBe(2);
    const types = Object.fromEntries(
      schema.fields!.map((f) => [f.name, [f.schema.type, f.schema.optional, f.schema.name]]),
    );
    expect(types).toEqual({
      id: ['int32', false, undefined],
      topic: ['string', true, undefined],
      partition: ['int32', false, undefined],
      offset: ['int64', true, undefined],
      ts: ['int64', true, 'org.apache.kafka.connect.data.Timestamp'],
      origin: ['string', true, undefined],
    });
    expect(a.value).toEqual({
      id: 1,
      topic: 'orders',
      partition: 3,
      offset: 1234,
      ts: new Date(1_700_000_000_000),
      origin: 'pg',
    });
  });

  it('works on keys', () => {
    const t = new InsertFieldKey();
    t.configure({ 'topic.field': 'topic' });
    const out = t.apply(sourceRecord({ key: { id: 1 }, value: 'v' }))!;
    expect(out.key).toEqual({ id: 1, topic: 'orders' });
    expect(out.value).toBe('v');
  });

  it('passes tombstones through untouched', () => {
    const record = sourceRecord({ valueSchema, value: null });
    expect(configured(all).apply(record)).toBe(record);
  });

  it('fails a required field that has no value, and an offset on a source record', () => {
    const record = sourceRecord({ valueSchema, value: { id: 1 }, timestamp: null });
    expect(() => configured({ 'timestamp.field': 'ts!' }).apply(record)).toThrow(/required field ts/);
    expect(() => configured({ 'offset.field': 'o' }).apply(sourceRecord({ value: {} }))).toThrow(
      /Only sink records/,
    );
  });

  it('rejects a schemaless value that is not a map, and a clashing field name', () => {
    expect(() => configured(all).apply(sinkRecord({ value: 'text' }))).toThrow(/Only Map objects supported/);
    const clash: Schema = SchemaBuilder.struct().field('topic', Schemas.STRING).build();
    expect(() =>
      configured({ 'topic.field': 'topic' }).apply(
        sourceRecord({ valueSchema: clash, value: { topic: 'x' } }),
      ),
    ).toThrow(/duplicate field topic/);
  });

  it('refuses to run unconfigured', () => {
    expect(() => new InsertFieldValue().apply(sourceRecord({ value: {} }))).toThrow(/before configure/);
  });

  it('keeps a "__proto__" field of schemaless data a field, never the prototype of the copy', () => {
    const t = new InsertFieldValue();
    t.configure({ 'static.field': 'source', 'static.value': 'test' });
    const value = JSON.parse('{"id": 1, "__proto__": {"polluted": true}}') as Record<string, unknown>;
    const out = t.apply(sourceRecord({ value }))!.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(out['source']).toBe('test');
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
