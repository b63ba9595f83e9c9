import { topicNameProblem, type SinkOffsetChange } from '@sluice/connect-api';
import { HerderError, type ConnectorOffset } from './herder.js';

const SHAPE =
  'a sink connector offset is {"partition": {"kafka_topic": "<topic>", "kafka_partition": <n>}, "offset": {"kafka_offset": <n>} or null}';

/**
 * Sink offsets as Kafka Connect's REST API gives them ({kafka_topic, kafka_partition} →
 * {kafka_offset}), every one checked before anything is changed: a connector keeping offsets of
 * its own (alterOffsets) is asked first, so an offset the log would refuse afterwards must not
 * reach it. All problems are reported at once.
 */
export function sinkOffsetChanges(offsets: readonly ConnectorOffset[]): SinkOffsetChange[] {
  const problems: string[] = [];
  const changes: SinkOffsetChange[] = [];
  offsets.forEach((o, i) => {
    const topic = o.partition['kafka_topic'];
    const partition = o.partition['kafka_partition'];
    const offset = o.offset === null ? null : o.offset?.['kafka_offset'];
    const mine: string[] = [];
    if (typeof topic !== 'string') mine.push(`kafka_topic must be a topic name (${SHAPE})`);
    else {
      const bad = topicNameProblem(topic);
      if (bad) mine.push(bad);
    }
    if (!isCount(partition))
      mine.push(
        `kafka_partition must be an integer from 0 up, not ${JSON.stringify(partition) ?? 'missing'}`,
      );
    if (offset !== null && !isCount(offset))
      mine.push(
        `kafka_offset must be an integer from 0 up to 2^53 - 1, or the offset null, not ${JSON.stringify(offset) ?? 'missing'}`,
      );
    if (mine.length > 0) problems.push(...mine.map((m) => `offsets[${i}]: ${m}`));
    else
      changes.push({
        topic: topic as string,
        partition: partition as number,
        offset: offset as number | null,
      });
  });
  if (problems.length > 0) throw new HerderError('BAD_REQUEST', problems.join('; '));
  return changes;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
