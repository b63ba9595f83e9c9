import { describe, expect, it } from '@jest/globals';
import { sourceRecord } from '../testing/record-fixtures.js';
import { TimestampRouter } from './timestamp-router.transform.js';

function configured(config: Record<string, unknown> = {}): TimestampRouter {
  const t = new TimestampRouter();
  t.configure(config);
  return t;
}

describe('TimestampRouter', () => {
  const record = sourceRecord({ timestamp: Date.UTC(2024, 2, 5, 14, 7), value: 'v' });

  it('routes by day with the defaults', () => {
    const out = configured().apply(record)!;
    expect(out.topic).toBe('orders-20240305');
    expect(out.value).toBe('v');
  });

  it('uses the configured formats', () => {
    const t = configured({ 'topic.format': 'archive.${topic}.${timestamp}', 'timestamp.format': 'yyyy-MM' });
    expect(t.apply(record)!.topic).toBe('archive.orders.2024-03');
  });

  it('fails a record without a timestamp and a bad pattern', () => {
    expect(() => configured().apply(sourceRecord({ timestamp: null }))).toThrow(/Timestamp missing/);
    expect(() => configured({ 'timestamp.format': 'yyyy-Q' })).toThrow(
      /timestamp\.format is not a valid date format/,
    );
  });
});
