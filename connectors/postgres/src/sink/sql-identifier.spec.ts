import { describe, expect, it } from '@jest/globals';
import { checkIdentifierLength, parseTableName, quoteIdent, quoteTable } from './sql-identifier.js';

describe('SQL identifiers', () => {
  it('double-quotes names and doubles embedded quotes', () => {
    expect(quoteIdent('users')).toBe('"users"');
    expect(quoteIdent('Order Items')).toBe('"Order Items"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('"; DROP TABLE x; --')).toBe('"""; DROP TABLE x; --"');
    expect(quoteIdent('café ☕')).toBe('"café ☕"');
    expect(() => quoteIdent('a\u0000b')).toThrow(/NUL/);
  });

  it('qualifies tables and splits settings on the first dot only', () => {
    expect(quoteTable({ schema: 'sales', table: 'q.1' })).toBe('"sales"."q.1"');
    expect(quoteTable({ schema: null, table: 't' })).toBe('"t"');
    expect(parseTableName('a.b.c')).toEqual({ schema: 'a', table: 'b.c' });
    expect(parseTableName('offsets')).toEqual({ schema: null, table: 'offsets' });
  });

  it('flags names Postgres would truncate', () => {
    expect(checkIdentifierLength('x'.repeat(63), 'table')).toBeNull();
    expect(checkIdentifierLength('é'.repeat(32), 'table')).toMatch(/64 bytes/);
  });
});
