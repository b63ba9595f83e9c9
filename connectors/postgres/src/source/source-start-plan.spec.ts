import { describe, expect, it } from '@jest/globals';
import type { ParsedOffset } from './source-offset.js';
import { planStart } from './source-start-plan.js';

const streaming: ParsedOffset = {
  stream: { commitLsn: 10n, event: 0 },
  snapshot: null,
  snapshotAt: null,
  incremental: null,
};
const midSnapshot: ParsedOffset = {
  stream: { commitLsn: 10n, event: 0 },
  snapshot: {
    done: false,
    tables: ['public.t'],
    totals: [5],
    counts: [],
    passes: [{ lsn: '10', table: 0, key: null }],
  },
  snapshotAt: { table: 0, key: ['3'], rows: 3 },
  incremental: null,
};

describe('planStart', () => {
  it.each([
    ['initial', null, false, 'fresh', true],
    ['initial', streaming, true, 'none', true],
    ['initial', midSnapshot, true, 'resume', true],
    ['initial', midSnapshot, false, 'fresh', true],
    ['initial_only', null, false, 'fresh', false],
    ['no_data', null, false, 'none', true],
    ['never', streaming, true, 'none', true],
    ['always', streaming, true, 'fresh', true],
    ['when_needed', streaming, false, 'fresh', true],
    ['when_needed', streaming, true, 'none', true],
  ] as const)(
    '%s with offset %p and slot %p: snapshot %s, stream %p',
    (mode, offset, slot, snapshot, stream) => {
      const plan = planStart(mode, offset, slot);
      expect(plan.snapshot).toBe(snapshot);
      expect(plan.stream).toBe(stream);
    },
  );

  it('resumes an unfinished initial_only snapshot without a slot, which that mode never keeps', () => {
    const unfinished = { snapshot: { done: false } } as unknown as Parameters<typeof planStart>[1];
    expect(planStart('initial_only', unfinished, false)).toEqual({
      snapshot: 'resume',
      stream: false,
      gap: null,
    });
    const done = { snapshot: { done: true } } as unknown as Parameters<typeof planStart>[1];
    expect(planStart('initial_only', done, false)).toEqual({ snapshot: 'none', stream: false, gap: null });
  });

  it('warns of a gap when the slot vanished under a committed offset and nothing re-reads the tables', () => {
    expect(planStart('initial', streaming, false).gap).toMatch(/slot is gone/);
    expect(planStart('when_needed', streaming, false).gap).toBeNull();
  });
});
