import { describe, expect, it } from '@jest/globals';
import { Schemas } from '@sluice/connect-api';
import { InsertHeader, parseLiteral } from './insert-header.transform.js';
import { sourceRecord } from '../testing/record-fixtures.js';

describe('InsertHeader', () => {
  it('appends a header, leaving existing ones', () => {
    const t = new InsertHeader();
    t.configure({ header: 'origin', 'value.literal': 'pg-main' });
    const record = sourceRecord({ headers: [{ key: 'origin', value: 'old' }] });
    const out = t.apply(record)!;
    expect(out.headers).toEqual([
      { key: 'origin', value: 'old' },
      { key: 'origin', value: 'pg-main', schema: Schemas.STRING },
    ]);
    expect(record.headers).toHaveLength(1);
  });

  it('infers literal types', () => {
    expect(parseLiteral('true')).toEqual({ schema: Schemas.BOOLEAN, value: true });
    expect(parseLiteral('42')).toEqual({ schema: Schemas.INT8, value: 42 });
    expect(parseLiteral('40000')).toEqual({ schema: Schemas.INT32, value: 40000 });
    expect(parseLiteral('9223372036854775807')).toEqual({
      schema: Schemas.INT64,
      value: 9223372036854775807n,
    });
    expect(parseLiteral('1.5')).toEqual({ schema: Schemas.FLOAT64, value: 1.5 });
    expect(parseLiteral('v1.5')).toEqual({ schema: Schemas.STRING, value: 'v1.5' });
  });

  it('requires header and value.literal', () => {
    expect(() => new InsertHeader().configure({})).toThrow(/header is required.*value\.literal is required/);
  });
});
