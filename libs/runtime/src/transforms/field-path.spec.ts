import { describe, expect, it } from '@jest/globals';
import { parseFieldPath } from './field-path.js';

describe('parseFieldPath', () => {
  it('reads V1 as one name', () => {
    expect(parseFieldPath('a.b', 'V1')).toEqual(['a.b']);
  });

  it('reads V2 dotted paths, backtick-wrapped names and escapes as KIP-821', () => {
    expect(parseFieldPath('a.b.c', 'V2')).toEqual(['a', 'b', 'c']);
    expect(parseFieldPath('`a.b`.c', 'V2')).toEqual(['a.b', 'c']);
    expect(parseFieldPath('a.`b.c`', 'V2')).toEqual(['a', 'b.c']);
    expect(parseFieldPath('`a`b`.c', 'V2')).toEqual(['a`b', 'c']);
    expect(parseFieldPath('`a\\`.b`.c', 'V2')).toEqual(['a`.b', 'c']);
    expect(parseFieldPath('a.', 'V2')).toEqual(['a', '']);
    expect(parseFieldPath('a..b', 'V2')).toEqual(['a', '', 'b']);
  });

  it('rejects an open backtick', () => {
    expect(() => parseFieldPath('`a.b', 'V2')).toThrow(/Incomplete backtick pair in path \[`a.b\]/);
    expect(() => parseFieldPath('`a\\`', 'V2')).toThrow(/Incomplete backtick/);
  });
});
