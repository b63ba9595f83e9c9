import type { Log } from '@sluice/log';
import { SOURCE_OFFSET_HEADER, type SourceOffsetMark } from './source-offset-header.js';
import type { SourceOffsetStore } from './source-offset-store.js';
import { stableJson } from '../storage/stable-json.js';

/**
 * Before a source connector's tasks start: finds records its tasks wrote after their last offset
 * commit (a crash came between the write and the commit) and commits the offsets those records
 * carry, so the tasks resume after them and nothing is written twice. Scans only from each task's
 * committed log position to the end of each topic-partition the connector used.
 */
export async function recoverSourceOffsets(
  log: Log,
  store: SourceOffsetStore,
  connector: string,
  topics: readonly string[],
): Promise<number> {
  const positions = store.positions(connector);
  if (positions.size === 0) return 0;
  const latest = new Map<string, { partition: Record<string, unknown>; offset: Record<string, unknown> }>();
  const moved: Map<number, Record<string, number>> = new Map();
  for (const topic of topics) {
    const count = log.storage.partitionCount(topic);
    if (count === undefined) continue;
    for (let partition = 0; partition < count; partition++) {
      const tp = `${topic}:${partition}`;
      const starts = [...positions.values()].map((p) => p[tp]).filter((p): p is number => p !== undefined);
      if (starts.length === 0) continue;
      const { startOffset, endOffset } = await log.storage.offsets(topic, partition);
      const from = Math.max(Math.min(...starts), startOffset);
      if (from >= endOffset) continue;
      const consumer = log.consumer({ autoOffsetReset: 'earliest' });
      consumer.assign([{ topic, partition }]);
      consumer.seek({ topic, partition }, from);
      try {
        while ((await consumer.position({ topic, partition })) < endOffset) {
          for (const part of await consumer.poll({ timeoutMs: 100 })) {
            for (const record of part.records) {
              if (record.offset >= endOffset) break;
              const header = record.headers.find((h) => h.key === SOURCE_OFFSET_HEADER);
              if (!header?.value) continue;
              const mark = JSON.parse(header.value.toString('utf8')) as SourceOffsetMark;
              if (mark.c !== connector) continue;
              const committedUpTo = positions.get(mark.t)?.[tp] ?? from;
              if (record.offset < committedUpTo) continue;
              latest.set(stableJson(mark.p), { partition: mark.p, offset: mark.o });
              const m = moved.get(mark.t) ?? {};
              m[tp] = Math.max(m[tp] ?? 0, record.offset + 1);
              moved.set(mark.t, m);
            }
          }
        }
      } finally {
        await consumer.close();
      }
    }
  }
  if (latest.size === 0) return 0;
  // one commit per task that had uncommitted records, each with the positions it now covers
  const tasks = [...moved.keys()];
  for (let i = 0; i < tasks.length; i++) {
    await store.commit(connector, tasks[i]!, i === 0 ? latest.values() : [], moved.get(tasks[i]!)!);
  }
  return latest.size;
}
