import type { ConnectRecord } from '@sluice/connect-api';

/**
 * The record's valueJson if it is its value's text, after the transformations made `record` of
 * `original`. withRecord drops the text of a value it replaces, but a transformation that made a
 * new value (or schema) otherwise may have kept the old value's text: a new value or schema with
 * the old text is taken as having none.
 */
export function currentValueJson(record: ConnectRecord, original: ConnectRecord): string | undefined {
  const text = record.valueJson;
  // a null value is a tombstone (no bytes at all), whatever text came with it
  if (text === undefined || record.value === null) return undefined;
  if (record === original) return text;
  const unchanged = record.value === original.value && record.valueSchema === original.valueSchema;
  return unchanged || text !== original.valueJson ? text : undefined;
}
