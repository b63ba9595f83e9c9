import type { ProducerRecord } from '@sluice/log';

/*
 * The crash test's records are a pure function of (partition, offset), so the checker knows every
 * byte each offset must hold without the writer having to report contents.
 */

export const CRASH_TOPIC = 'crash';
export const CRASH_PARTITIONS = 2;

export function expectedRecord(
  partition: number,
  offset: number,
): Required<Pick<ProducerRecord, 'key' | 'value'>> & {
  headers: { key: string; value: string }[];
} {
  const length = 10 + ((offset * 7919 + partition * 31) % 300);
  const fill = String.fromCharCode(97 + ((offset + partition) % 26));
  return {
    key: `k${offset % 97}`,
    value: `${partition}:${offset}:`.padEnd(length, fill),
    headers: [{ key: 'offset', value: String(offset) }],
  };
}
