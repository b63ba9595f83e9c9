import { BadRequestException } from '@nestjs/common';
import type { ProducerRecord } from '@sluice/log';

export const MAX_PRODUCE_RECORDS = 10_000;

/**
 * The body of POST /topics/{name}/records: {"records": [{key?, value, headers?, partition?}]}.
 * Keys, values and header values are strings, or JSON values (sent as their JSON text), or null.
 */
export function produceRequestOf(body: unknown): ProducerRecord[] {
  const records = (body as { records?: unknown } | null)?.records;
  if (!Array.isArray(records) || records.length === 0 || records.length > MAX_PRODUCE_RECORDS) {
    throw new BadRequestException(`records must be an array of 1 to ${MAX_PRODUCE_RECORDS} records`);
  }
  return records.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null || !('value' in raw)) {
      throw new BadRequestException(`records[${i}] must be an object with a value`);
    }
    const r = raw as { key?: unknown; value: unknown; headers?: unknown; partition?: unknown };
    const record: ProducerRecord = { value: text(r.value) };
    if (r.key !== undefined) record.key = text(r.key);
    if (r.partition !== undefined) {
      if (typeof r.partition !== 'number' || !Number.isInteger(r.partition) || r.partition < 0) {
        throw new BadRequestException(`records[${i}].partition must be a non-negative integer`);
      }
      record.partition = r.partition;
    }
    if (r.headers !== undefined) {
      if (typeof r.headers !== 'object' || r.headers === null || Array.isArray(r.headers)) {
        throw new BadRequestException(`records[${i}].headers must be an object of header names to values`);
      }
      record.headers = Object.entries(r.headers as Record<string, unknown>).map(([key, value]) => ({
        key,
        value: text(value),
      }));
    }
    return record;
  });
}

function text(value: unknown): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
