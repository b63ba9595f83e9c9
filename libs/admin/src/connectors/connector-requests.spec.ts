import { describe, expect, it } from '@jest/globals';
import { booleanParam, configPatchOf, connectorOffsetsOf, taskIdOf } from './connector-requests.js';

describe('connector request parsing', () => {
  it('reads booleans as JAX-RS does', () => {
    expect(booleanParam('true')).toBe(true);
    expect(booleanParam('TRUE')).toBe(true);
    expect(booleanParam('yes')).toBe(false);
    expect(booleanParam(undefined)).toBe(false);
    expect(booleanParam(undefined, true)).toBe(true);
    expect(booleanParam(['true', 'false'])).toBe(true);
  });

  it('keeps null in patches and refuses nested values', () => {
    expect(configPatchOf({ a: 'x', b: null, c: 3 })).toEqual({ a: 'x', b: null, c: '3' });
    expect(() => configPatchOf({ a: [1] })).toThrow(/a must be a string, not an array/);
    expect(() => configPatchOf('x')).toThrow(/must be a JSON object/);
  });

  it('takes null offsets and refuses offsets without a partition', () => {
    expect(connectorOffsetsOf({ offsets: [{ partition: { p: 1 }, offset: null }] })).toEqual([
      { partition: { p: 1 }, offset: null },
    ]);
    expect(() => connectorOffsetsOf({ offsets: [{ offset: {} }] })).toThrow(/offsets\[0\]\.partition/);
  });

  it('finds no task for ids that are not integers', () => {
    expect(taskIdOf('c', '3')).toBe(3);
    expect(() => taskIdOf('c', '-1')).toThrow(/Task c--1 not found/);
    expect(() => taskIdOf('c', '1e3')).toThrow(/not found/);
  });
});
