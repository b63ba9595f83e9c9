import { withRecord, type ConnectRecord, type Schema } from '@sluice/connect-api';

/**
 * Which half of a record a Key/Value transform works on, as Kafka's `$Key` and `$Value` variants.
 * The three accessors below are the only place that knows the difference.
 */
export type RecordPart = 'key' | 'value';

export function partSchema(record: ConnectRecord, part: RecordPart): Schema | null {
  return part === 'key' ? record.keySchema : record.valueSchema;
}

export function partValue(record: ConnectRecord, part: RecordPart): unknown {
  return part === 'key' ? record.key : record.value;
}

/** A copy of `record` with the operated half replaced; the other half is left as it is. */
export function withPart<R extends ConnectRecord>(
  record: R,
  part: RecordPart,
  schema: Schema | null,
  value: unknown,
): R {
  return part === 'key'
    ? withRecord(record, { keySchema: schema, key: value })
    : withRecord(record, { valueSchema: schema, value });
}
