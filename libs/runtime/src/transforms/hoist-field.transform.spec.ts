import { describe, expect, it } from '@jest/globals';
import { Schemas } from '@sluice/connect-api';
import { HoistFieldKey, HoistFieldValue } from './hoist-field.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

function configured(field: string): HoistFieldValue {
  const t = new HoistFieldValue();
  t.configure({ field });
  return t;
}

describe('HoistField', () => {
  it('wraps a schemaless value, null included', () => {
    expect(configured('line').apply(sourceRecord({ value: 'hello' }))!.value).toEqual({ line: 'hello' });
    expect(configured('line').apply(sourceRecord({ value: null }))!.value).toEqual({ line: null });
  });

  it('wraps a schema’d value in a one-field struct, cached', () => {
    const t = configured('n');
    const a = t.apply(sourceRecord({ valueSchema: Schemas.INT64, value: 5 }))!;
    const b = t.apply(sourceRecord({ valueSchema: Schemas.INT64, value: 6 }))!;
    expect(a.valueSchema!.type).toBe('struct');
    expect(a.valueSchema!.fields!.map((f) => [f.name, f.schema])).toEqual([['n', Schemas.INT64]]);
    expect(b.valueSchema).toBe(a.valueSchema);
    expect(b.value).toEqual({ n: 6 });
    expect(t.apply(sourceRecord({ valueSchema: Schemas.OPTIONAL_INT64, value: null }))!.value).toEqual({
      n: null,
    });
    expect(() => t.apply(sourceRecord({ valueSchema: Schemas.INT64, value: null }))).toThrow(
      /required field n/,
    );
  });

  it('works on keys and requires field', () => {
    const t = new HoistFieldKey();
    t.configure({ field: 'id' });
    expect(t.apply(sourceRecord({ key: 1 }))!.key).toEqual({ id: 1 });
    expect(() => new HoistFieldKey().configure({})).toThrow(/field is required/);
  });
});
