import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas, withRecord } from '@sluice/connect-api';
import { sourceRecord } from '../testing/record-fixtures.js';
import { currentValueJson } from './value-json.js';

describe('currentValueJson', () => {
  const original = sourceRecord({ value: { a: 1 }, valueJson: '{"a":1}' });

  it('keeps the text while the value is the one it was read as', () => {
    expect(currentValueJson(original, original)).toBe('{"a":1}');
    expect(currentValueJson(withRecord(original, { topic: 'elsewhere' }), original)).toBe('{"a":1}');
  });

  it('drops it for a new value: withRecord does, and a copy that kept it is not believed', () => {
    const viaWithRecord = withRecord(original, { value: { a: 2 } });
    expect(viaWithRecord.valueJson).toBeUndefined();
    const spread = { ...original, value: { a: 2 } };
    expect(currentValueJson(spread, original)).toBeUndefined();
  });

  it('takes a new text given with a new value, but none for a new schema or a tombstone', () => {
    const replaced = withRecord(original, { value: { a: 2 }, valueJson: '{"a":2}' });
    expect(currentValueJson(replaced, original)).toBe('{"a":2}');
    expect(currentValueJson({ ...original, value: null }, original)).toBeUndefined();
    expect(currentValueJson({ ...original, valueSchema: Schemas.STRING }, original)).toBeUndefined();
  });

  it('gives no text for a null value, a tombstone, even untransformed (a JSON line "null")', () => {
    const nullLine = sourceRecord({ value: null, valueJson: 'null' });
    expect(currentValueJson(nullLine, nullLine)).toBeUndefined();
  });

  it('keeps the payload text of a value with a schema while value and schema are the same', () => {
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const typed = sourceRecord({ valueSchema: schema, value: { a: 1 }, valueJson: '{"a":1}' });
    expect(currentValueJson(typed, typed)).toBe('{"a":1}');
    expect(currentValueJson(withRecord(typed, { topic: 'elsewhere' }), typed)).toBe('{"a":1}');
    const renamed = SchemaBuilder.struct().name('other').field('a', Schemas.INT32).build();
    expect(currentValueJson({ ...typed, valueSchema: renamed }, typed)).toBeUndefined();
  });
});
