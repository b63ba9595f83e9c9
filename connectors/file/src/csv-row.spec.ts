import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatCsvRow, parseCsvRow } from './csv-row.js';
import { RecordFramer } from './record-framer.js';

describe('parseCsvRow', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c,', ['a', '', 'c', '']],
    ['"a,b","say ""hi""",c', ['a,b', 'say "hi"', 'c']],
    ['"multi\r\nline",x\r', ['multi\r\nline', 'x']],
    ['""', ['']],
    ['5" disk,x', ['5" disk', 'x']],
    ['', ['']],
  ])('%j', (row, fields) => {
    expect(parseCsvRow(row)).toEqual(fields);
  });

  it('rejects text after a closing quote and unterminated quotes', () => {
    expect(() => parseCsvRow('"a"b,c')).toThrow(/after the closing quote of field 1/);
    expect(() => parseCsvRow('x,"open')).toThrow(/unterminated quoted field 2/);
  });

  it('reads back what formatCsvRow writes, also when framed from arbitrary chunks', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r', ' ', '𝄞') });
    const rows = fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(rows, fc.array(fc.nat(40), { maxLength: 20 }), (table, cuts) => {
        const bytes = Buffer.from(table.map((r) => `${formatCsvRow(r)}\n`).join(''));
        const framer = new RecordFramer(true, 1 << 20);
        const got: string[][] = [];
        let at = 0;
        for (const cut of [...cuts, bytes.length]) {
          const end = Math.min(bytes.length, at + cut);
          framer.feed(bytes.subarray(at, end));
          at = end;
          for (let f = framer.next(); f; f = framer.next()) {
            if (f.kind !== 'record') throw new Error('unexpected oversize');
            got.push(parseCsvRow(f.bytes.toString('utf8')));
          }
        }
        expect(got).toEqual(table);
      }),
    );
  });
});
