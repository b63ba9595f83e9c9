import { describe, expect, it } from '@jest/globals';
import { sinkRecord } from '@sluice/connect-api/testing';
import { DeliveryLanes } from './delivery-lanes.js';
import type { OutgoingBatch } from './outgoing-batch.js';
import { batchBody } from './sink-body-encoder.js';

const target = { url: 'http://127.0.0.1/in', headers: {}, key: '' };

async function batchesOf(
  values: string[],
  limits: { maxRecords: number; maxBytes: number },
): Promise<string[][]> {
  const sent: OutgoingBatch[] = [];
  const lanes = new DeliveryLanes(
    { ...limits, maxInFlight: 1 },
    async (batch) => {
      sent.push(batch);
      return 'delivered';
    },
    (err) => {
      throw err;
    },
  );
  values.forEach((v, offset) => lanes.add(sinkRecord('t', 0, offset, v), JSON.stringify(v), target));
  lanes.seal();
  lanes.pump();
  await lanes.settled();
  return sent.map((b) => b.values.map((v) => JSON.parse(v) as string));
}

describe('DeliveryLanes', () => {
  it('fills batches up to batch.max.bytes of UTF-8 exactly, multi-byte characters counted as such', async () => {
    // '"ééé"' is 8 bytes (5 characters): with its separator 9; a body of n is 1 + 9n
    const values = Array.from({ length: 7 }, () => 'ééé');
    const batches = await batchesOf(values, { maxRecords: 100, maxBytes: 28 });
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    for (const b of batches)
      expect(
        Buffer.byteLength(
          batchBody(
            'json_array',
            b.map((v) => JSON.stringify(v)),
          ),
        ),
      ).toBeLessThanOrEqual(28);
  });

  it('counts a bound far below batch.max.bytes, and still cuts at the exact size near it', async () => {
    const ascii = Array.from({ length: 40 }, (_, i) => `v${String(i).padStart(4, '0')}`); // "v0000": 7 bytes, 8 framed
    const batches = await batchesOf(ascii, { maxRecords: 100, maxBytes: 1 + 8 * 25 });
    expect(batches.map((b) => b.length)).toEqual([25, 15]);
  });

  it('sends a value bigger than batch.max.bytes in a batch of its own', async () => {
    const batches = await batchesOf(['a', 'x'.repeat(50), 'b'], { maxRecords: 100, maxBytes: 20 });
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1]);
  });
});
