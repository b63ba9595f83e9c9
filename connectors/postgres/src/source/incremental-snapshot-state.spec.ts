import { describe, expect, it } from '@jest/globals';
import {
  afterRows,
  nextTable,
  parseIncrementalState,
  startedTable,
  withoutTables,
  withTables,
} from './incremental-snapshot-state.js';

describe('incremental snapshot state', () => {
  it('reads tables in order, key by key, and ends after the last', () => {
    let s = withTables(null, ['public.a', 'public.b']);
    s = startedTable(s, ['9'], 9);
    s = afterRows(s, ['4'], 4);
    expect(s).toMatchObject({ index: 0, rows: [4, 0], totals: [9, null], lastKey: ['4'], maxKey: ['9'] });
    s = nextTable(s)!;
    expect(s).toMatchObject({ index: 1, rows: [4, 0], totals: [4, null], lastKey: null, maxKey: null });
    expect(nextTable(s)).toBeNull();
  });

  it('adds only tables not already pending, and stops pending ones', () => {
    let s = withTables(null, ['public.a', 'public.b']);
    s = afterRows(startedTable(s, ['9'], 9), ['4'], 4);
    s = withTables(s, ['public.b', 'public.c']);
    expect(s.tables).toEqual(['public.a', 'public.b', 'public.c']);
    const stoppedB = withoutTables(s, ['public.b'])!;
    expect(stoppedB).toMatchObject({ tables: ['public.a', 'public.c'], index: 0, lastKey: ['4'] });
    const stoppedA = withoutTables(s, ['public.a'])!;
    expect(stoppedA).toMatchObject({
      tables: ['public.b', 'public.c'],
      index: 0,
      lastKey: null,
      maxKey: null,
    });
    expect(withoutTables(s, null)).toBeNull();
  });

  it('keeps finished tables (for progress) when stopping, and survives a JSON round trip', () => {
    let s = nextTable(startedTable(withTables(null, ['public.a', 'public.b']), ['1'], 1))!;
    s = withTables(s, ['public.a']);
    expect(s.tables).toEqual(['public.a', 'public.b', 'public.a']);
    const stopped = withoutTables(s, ['public.b'])!;
    expect(stopped).toMatchObject({ tables: ['public.a', 'public.a'], index: 1 });
    expect(parseIncrementalState(JSON.parse(JSON.stringify(stopped)))).toEqual(stopped);
    expect(parseIncrementalState({ tables: ['x'], index: 3 })).toBeNull();
  });
});
