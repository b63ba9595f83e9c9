import { withRecord, type SinkRecord, type SourceRecord } from '@sluice/connect-api';

/*
 * Records for the transform, predicate and converter specs. Kept out of the specs so each one
 * states only what its case is about.
 */

export function sourceRecord(changes: Partial<SourceRecord> = {}): SourceRecord {
  return withRecord<SourceRecord>(
    {
      topic: 'orders',
      kafkaPartition: 3,
      keySchema: null,
      key: null,
      valueSchema: null,
      value: null,
      timestamp: 1_700_000_000_000,
      headers: [],
      sourcePartition: { table: 'orders' },
      sourceOffset: { position: 42 },
    },
    changes,
  );
}

export function sinkRecord(changes: Partial<SinkRecord> = {}): SinkRecord {
  return withRecord<SinkRecord>(
    {
      topic: 'orders',
      kafkaPartition: 3,
      kafkaOffset: 1234,
      keySchema: null,
      key: null,
      valueSchema: null,
      value: null,
      timestamp: 1_700_000_000_000,
      headers: [],
      originalTopic: 'orders',
      originalKafkaPartition: 3,
      originalKafkaOffset: 1234,
    },
    changes,
  );
}
