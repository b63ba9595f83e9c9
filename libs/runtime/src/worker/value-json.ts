import type { ConnectRecord } from '@sluice/connect-api';

/**
 * The record's valueJson if it is its value's text, after the transformations made `record` of
 * `original`. withRecord drops the text of a value it replaces, but a transformation that made a
 * new value otherwise may have kept the old value's text: a new value with the old text is taken
 * as having none.
 */
export function currentValueJson(record: ConnectRecord, original: ConnectRecord): string | undefined {
  const text = record.valueJson;
  if (text === undefined || record.valueSchema !== null || record.value === null) return undefined;
  return record.value === original.value || text !== original.valueJson ? text : undefined;
}
