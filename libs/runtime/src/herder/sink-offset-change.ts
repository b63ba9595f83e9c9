import type { SinkOffsetChange } from '@sluice/connect-api';
import { HerderError, type ConnectorOffset } from './herder.js';

/** A sink offset as Kafka Connect's REST API gives it ({kafka_topic, kafka_partition} → {kafka_offset}). */
export function sinkOffsetChange(o: ConnectorOffset): SinkOffsetChange {
  const topic = o.partition['kafka_topic'];
  const partition = o.partition['kafka_partition'];
  if (typeof topic !== 'string' || typeof partition !== 'number') {
    throw new HerderError(
      'BAD_REQUEST',
      'Sink connector offsets need partition {kafka_topic, kafka_partition} and offset {kafka_offset}',
    );
  }
  if (o.offset === null) return { topic, partition, offset: null };
  const offset = o.offset?.['kafka_offset'];
  if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0)
    return { topic, partition, offset };
  throw new HerderError(
    'BAD_REQUEST',
    `kafka_offset must be a non-negative integer, not ${JSON.stringify(offset)}`,
  );
}
