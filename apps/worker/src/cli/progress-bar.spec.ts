import { describe, expect, it } from '@jest/globals';
import { progressLines } from './progress-bar.js';

describe('progressLines', () => {
  it('draws one aligned bar per item with its percentage and counts', () => {
    expect(
      progressLines({
        phase: 'snapshot',
        items: [
          { name: 'public.orders', done: 5_000, total: 10_000 },
          { name: 'public.t', done: 200, total: 200 },
          { name: 'public.empty', done: 0, total: 0 },
        ],
      }),
    ).toEqual([
      '    snapshot:',
      '      public.orders  [############------------]  50.0%  5,000/10,000',
      '      public.t       [########################] 100.0%  200/200',
      '      public.empty   [########################] 100.0%  0/0',
    ]);
  });

  it('shows a count when the total is unknown, and never overflows the bar', () => {
    expect(
      progressLines(
        {
          phase: 'incremental-snapshot',
          items: [
            { name: 'a', done: 1_234, total: null },
            { name: 'b', done: 15, total: 10 },
          ],
        },
        2,
      ),
    ).toEqual([
      '  incremental-snapshot:',
      '    a  1,234 done (total unknown)',
      '    b  [########################] 100.0%  15/10',
    ]);
  });
});
