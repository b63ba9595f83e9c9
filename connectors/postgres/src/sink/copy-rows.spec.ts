import { describe, expect, it } from '@jest/globals';
import { encodeCopyRows } from './copy-rows.js';
import { codecOf } from './pg-text-encoder.js';
import { rowShape } from './row-change.js';

describe('encodeCopyRows', () => {
  const shape = rowShape(['id', 'note'], [null, null], 1);
  const codecs = [codecOf('int4', null), codecOf('text', null)];
  const rows = Array.from({ length: 50 }, (_, i) => ({
    op: 'w' as const,
    values: [i, i % 7 === 0 ? null : `note\t${i}\nünïcode`],
  }));

  it('writes COPY text rows, escaping tabs and newlines, \\N for null', () => {
    expect(encodeCopyRows(rows.slice(0, 2), shape, codecs, false).toString('utf8')).toBe(
      '0\t\\N\n1\tnote\\t1\\nünïcode\n',
    );
    expect(encodeCopyRows(rows.slice(1, 2), shape, codecs, true).toString('utf8')).toBe(
      'w\t1\tnote\\t1\\nünïcode\n',
    );
  });

  it('gives the same bytes when the text is turned into bytes in parts', () => {
    const whole = encodeCopyRows(rows, shape, codecs, true);
    expect(encodeCopyRows(rows, shape, codecs, true, 40).equals(whole)).toBe(true);
    expect(encodeCopyRows(rows, shape, codecs, true, 1).equals(whole)).toBe(true);
  });
});
