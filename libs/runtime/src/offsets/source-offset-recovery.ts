import type { Log } from '@sluice/log';
import {
  BATCH_POSITION_KEY,
  parseSourceOffsetMark,
  SOURCE_OFFSET_HEADER,
  type SourceOffsetMark,
} from './source-offset-header.js';
import type { SourceOffsetStore } from './source-offset-store.js';
import { stableJson } from '../storage/stable-json.js';

type Offsets = Map<string, { partition: Record<string, unknown>; offset: Record<string, unknown> }>;

/** What one task wrote after its committed log positions, by poll batch. */
interface TaskFindings {
  batches: Map<number, { chunks: number; seen: Set<number>; marks: SourceOffsetMark[] }>;
  /** Marks written before poll batches were numbered: each one complete by itself. */
  unnumbered: SourceOffsetMark[];
}

/**
 * Before a source connector's tasks start: finds records its tasks wrote after their last offset
 * commit (a crash came between the write and the commit) and commits the offsets those records
 * carry, so the tasks resume after them and nothing is written twice.
 *
 * A poll batch spread over several chunks (log batches, in one log partition or several) may be
 * durable in part, so batches count only in order, from the batch after the committed one, and
 * of the first one missing a chunk only the marks of its first chunks that cover every record
 * polled before them. What comes after is written again by the source (repeated, never lost). The scan covers each topic-partition the connector used,
 * from each task's committed position; afterwards every task's positions move to the end of what
 * was scanned, so a later recovery never mistakes these leftovers for the next run's batches.
 */
export async function recoverSourceOffsets(
  log: Log,
  store: SourceOffsetStore,
  connector: string,
  topics: readonly string[],
): Promise<number> {
  const positions = store.positions(connector);
  if (positions.size === 0) return 0;
  const findings = new Map<number, TaskFindings>();
  const scannedTo: Record<string, number> = {};
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
      scannedTo[tp] = endOffset;
      await scan(log, topic, partition, from, endOffset, (mark, offset) => {
        if (mark.c !== connector || offset < (positions.get(mark.t)?.[tp] ?? from)) return;
        let task = findings.get(mark.t);
        if (!task) findings.set(mark.t, (task = { batches: new Map(), unnumbered: [] }));
        if (mark.b === undefined || mark.n === undefined || mark.i === undefined) {
          task.unnumbered.push(mark);
          return;
        }
        let batch = task.batches.get(mark.b);
        if (!batch) task.batches.set(mark.b, (batch = { chunks: mark.n, seen: new Set(), marks: [] }));
        batch.seen.add(mark.i);
        batch.marks.push(mark);
      });
    }
  }
  if (Object.keys(scannedTo).length === 0) return 0;

  const latest: Offsets = new Map();
  const lastBatch = new Map<number, number>();
  for (const [task, found] of findings) {
    for (const mark of found.unnumbered)
      latest.set(stableJson(mark.p), { partition: mark.p, offset: mark.o });
    let next = (positions.get(task)?.[BATCH_POSITION_KEY] ?? -1) + 1;
    for (let batch = found.batches.get(next); batch; batch = found.batches.get(++next)) {
      const whole = batch.seen.size === batch.chunks;
      // of a batch missing a chunk, the marks of its first chunks, all durable, that cover every
      // record polled before them (u): the source repeats only what came after
      let prefix = 0;
      while (batch.seen.has(prefix)) prefix++;
      const standing = whole
        ? batch.marks
        : batch.marks.filter((m) => m.i! < prefix && m.u !== undefined && (m.x ?? 0) < m.u);
      // within a batch, a partition's mark from the record polled last holds its offset
      const ordered = [...standing].sort((a, b) => (a.x ?? 0) - (b.x ?? 0));
      for (const mark of ordered) latest.set(stableJson(mark.p), { partition: mark.p, offset: mark.o });
      if (standing.length > 0) lastBatch.set(task, next);
      if (!whole) break;
    }
  }
  // one commit per task: the first carries the recovered offsets; each moves the task's positions
  const tasks = [...positions.keys()];
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    const moved: Record<string, number> = { ...scannedTo };
    const batch = lastBatch.get(task);
    if (batch !== undefined) moved[BATCH_POSITION_KEY] = batch;
    await store.commit(connector, task, i === 0 ? latest.values() : [], moved);
  }
  return latest.size;
}

/** Calls `onMark` for each offset mark in [from, end) of a partition. */
async function scan(
  log: Log,
  topic: string,
  partition: number,
  from: number,
  end: number,
  onMark: (mark: SourceOffsetMark, offset: number) => void,
): Promise<void> {
  const consumer = log.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign([{ topic, partition }]);
  consumer.seek({ topic, partition }, from);
  try {
    while ((await consumer.position({ topic, partition })) < end) {
      for (const part of await consumer.poll({ timeoutMs: 100 })) {
        for (const record of part.records) {
          if (record.offset >= end) break;
          const header = record.headers.find((h) => h.key === SOURCE_OFFSET_HEADER);
          const mark = header?.value ? parseSourceOffsetMark(header.value.toString('utf8')) : null;
          if (mark) onMark(mark, record.offset);
        }
      }
    }
  } finally {
    await consumer.close();
  }
}
