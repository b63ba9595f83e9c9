import { describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas, type Schema, type SinkRecord } from '@sluice/connect-api';
import { rowShape, type RowChange, type RowShape } from './row-change.js';
import { keyText, planBatch, type MergeStep } from './write-plan.js';

const record = {} as SinkRecord;
const table = { schema: null, table: 't' };
const full = rowShape(['id', 'v'], [null, null], 1);
const wide = rowShape(['id', 'v', 'w'], [null, null, null], 1);
const keyOnly = rowShape(['id'], [null], 1);
const w = (id: number, v: string, shape = full): RowChange => ({
  kind: 'write',
  record,
  table,
  shape,
  values: shape === wide ? [id, v, 'x'] : [id, v],
});
const d = (id: number): RowChange => ({ kind: 'delete', record, table, shape: keyOnly, values: [id] });

function rows(step: unknown): [string, unknown[]][] {
  return (step as MergeStep).rows.map((r) => [r.op, r.values]);
}

describe('planBatch', () => {
  it('keeps the last write per key (upsert)', () => {
    const [step, ...rest] = planBatch([w(1, 'a'), w(2, 'b'), w(1, 'c')], 'upsert');
    expect(rest).toEqual([]);
    expect(rows(step)).toEqual([
      ['w', [1, 'c']],
      ['w', [2, 'b']],
    ]);
    expect(step).toMatchObject({ deletes: 0, writes: 2 });
  });

  it('folds deletes and writes of one key in order', () => {
    const [step] = planBatch(
      [w(1, 'a'), d(1), w(2, 'b'), d(2), w(2, 'c'), d(3), w(4, 'x'), d(4), w(4, 'y'), d(4)],
      'upsert',
    );
    expect(rows(step)).toEqual([
      ['d', [1, undefined]],
      ['r', [2, 'c']],
      ['d', [3, undefined]],
      ['d', [4, undefined]],
    ]);
    expect(step).toMatchObject({ deletes: 4, writes: 1 });
  });

  it('keeps every insert of a key after its last delete (insert mode: duplicates fail as they would one by one)', () => {
    const [step] = planBatch([w(1, 'a'), w(1, 'b'), d(2), w(2, 'c'), w(2, 'd')], 'insert');
    expect(rows(step)).toEqual([
      ['w', [1, 'a']],
      ['w', [1, 'b']],
      ['r', [2, 'c']],
      ['r', [2, 'd']],
    ]);
  });

  it('does not fold without a key', () => {
    const none = rowShape(['v'], [null], 0);
    const c = (v: string): RowChange => ({ kind: 'write', record, table, shape: none, values: [v] });
    expect(rows(planBatch([c('a'), c('a')], 'insert')[0])).toEqual([
      ['w', ['a']],
      ['w', ['a']],
    ]);
  });

  it('starts a new segment when the columns change, and lets deletes join any segment of the same key', () => {
    const steps = planBatch([d(9), w(1, 'a'), d(1), w(2, 'b', wide), d(3), w(1, 'z')], 'upsert');
    expect(steps.map((s) => s.kind === 'merge' && s.shape.names)).toEqual([
      ['id', 'v'],
      ['id', 'v', 'w'],
      ['id', 'v'],
    ]);
    expect(rows(steps[0])).toEqual([
      ['d', [9, undefined]],
      ['d', [1, undefined]],
    ]);
    expect(rows(steps[1])).toEqual([
      ['w', [2, 'b', 'x']],
      ['d', [3, undefined, undefined]],
    ]);
    expect(rows(steps[2])).toEqual([['w', [1, 'z']]]);
  });

  it('starts a new segment when a column keeps its name but not its schema (a unit that changed)', () => {
    const micros = SchemaBuilder.type('int64').name('io.debezium.time.MicroTimestamp').build();
    const millis = SchemaBuilder.type('int64').name('org.apache.kafka.connect.data.Timestamp').build();
    const at = (schema: Schema): RowShape => rowShape(['id', 'at'], [Schemas.INT32, schema], 1);
    const write = (id: number, shape: RowShape, at: number): RowChange => ({
      kind: 'write',
      record,
      table,
      shape,
      values: [id, at],
    });
    const steps = planBatch(
      [write(1, at(micros), 1_700_000_000_000_000), write(2, at(millis), 1_700_000_000_000)],
      'upsert',
    );
    expect(steps.map((s) => (s as MergeStep).shape.schemas[1]!.name)).toEqual([micros.name, millis.name]);
    // equal schemas that are different objects (a converter's cache evicted them) stay together
    const again = SchemaBuilder.type('int64').name('io.debezium.time.MicroTimestamp').build();
    expect(planBatch([write(1, at(micros), 1), write(2, at(again), 2)], 'upsert')).toHaveLength(1);
  });

  it('keeps truncates in place and groups steps per table', () => {
    const other = { schema: 's', table: 'o' };
    const steps = planBatch(
      [
        w(1, 'a'),
        { kind: 'write', record, table: other, shape: full, values: [5, 'o'] },
        { kind: 'truncate', record, table },
        w(2, 'b'),
        { kind: 'skip', record, reason: 'tombstone' },
      ],
      'upsert',
    );
    expect(steps.map((s) => [s.kind, s.table.table])).toEqual([
      ['merge', 't'],
      ['truncate', 't'],
      ['merge', 't'],
      ['merge', 'o'],
    ]);
  });

  it('tells keys apart by type and boundaries', () => {
    expect(keyText(['1'], 1)).not.toBe(keyText([1], 1));
    expect(keyText([1], 1)).toBe(keyText([1n], 1));
    expect(keyText(['a', 'bc'], 2)).not.toBe(keyText(['ab', 'c'], 2));
    expect(keyText([Buffer.from('a')], 1)).not.toBe(keyText(['a'], 1));
  });
});
