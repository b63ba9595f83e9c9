import { describe, expect, it } from '@jest/globals';
import { compileTableNameFormat } from './table-name-format.js';

const ctx = { topic: 'server1.public.users', sourceSchema: 'public', sourceTable: 'users' };

describe('table.name.format', () => {
  it('keeps a dotted topic as one table name', () => {
    const f = compileTableNameFormat('${topic}');
    expect(f.resolve(ctx)).toEqual({ schema: null, table: 'server1.public.users' });
    expect(f.needsSource).toBe(false);
    expect(f.templatedSchema).toBe(false);
  });

  it('splits schema and table on the first literal dot', () => {
    expect(compileTableNameFormat('${source.schema}.${source.table}').resolve(ctx)).toEqual({
      schema: 'public',
      table: 'users',
    });
    const archive = compileTableNameFormat('archive.${topic}_v1');
    expect(archive.resolve(ctx)).toEqual({ schema: 'archive', table: 'server1.public.users_v1' });
    expect(archive.literalSchema).toBe('archive');
    expect(compileTableNameFormat('a.b.c').resolve(ctx)).toEqual({ schema: 'a', table: 'b.c' });
    expect(compileTableNameFormat('s_${source.schema}.t').templatedSchema).toBe(true);
  });

  it('resolves to null when a source placeholder has no value', () => {
    const f = compileTableNameFormat('${source.table}');
    expect(f.needsSource).toBe(true);
    expect(f.resolve({ topic: 't', sourceSchema: null, sourceTable: null })).toBeNull();
  });

  it('refuses unknown placeholders and empty parts', () => {
    expect(() => compileTableNameFormat('${db}.${topic}')).toThrow(/unknown placeholder \$\{db\}/);
    expect(() => compileTableNameFormat('${topic')).toThrow(/unterminated/);
    expect(() => compileTableNameFormat('schema.')).toThrow(/no table/);
    expect(() => compileTableNameFormat('.t')).toThrow(/no schema/);
    expect(() => compileTableNameFormat(' ')).toThrow(/empty/);
  });
});
