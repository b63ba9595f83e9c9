import { isLogError, LogError } from '../errors.js';
import { batchLastOffset, checkBatch } from '../format/record-batch.js';
import { RecordBatchDecoder } from '../format/record-batch-decoder.js';
import { RecordBatchEncoder } from '../format/record-batch-encoder.js';
import type { LogRecord, ProducerRecord, TopicPartition } from '../record.js';
import type { LogStorage } from '../storage/log-storage.js';
import { parseTopicConfig } from '../topics/topic-config.js';
import type { OffsetStore, StoredOffset } from './offset-store.js';

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/*
 * Committed offsets as records of a compacted internal topic with one partition:
 *
 *   key    UTF-8 "<groupId>\0<topic>\0<partition>"
 *   value  UTF-8 JSON {"offset":n,"metadata":"...","commitTimestamp":ms}, or null (a tombstone)
 *
 * Compaction keeps the latest record per key, so the topic stays about the size of the live
 * offsets however often groups commit; load() replays it from the start. Group ids and topic names
 * cannot hold NUL (the coordinator and validateTopicName refuse it), so keys are unambiguous.
 */

/** Records per appended batch stay under this many key and value bytes, far below max.message.bytes. */
const MAX_BATCH_PAYLOAD = 256 * 1024;
const FETCH_BYTES = 1024 * 1024;

export interface LogOffsetStoreOptions {
  /** Default __consumer_offsets. */
  topic?: string;
}

export class LogOffsetStore implements OffsetStore {
  private readonly topic: string;
  private readonly encoder = new RecordBatchEncoder();
  private readonly decoder = new RecordBatchDecoder();
  /** Per group, the "topic\0partition" keys it holds offsets for: what delete(groupId) tombstones. */
  private readonly known = new Map<string, Set<string>>();
  private created: Promise<void> | undefined;

  constructor(
    private readonly storage: LogStorage,
    options: LogOffsetStoreOptions = {},
  ) {
    this.topic = options.topic ?? CONSUMER_OFFSETS_TOPIC;
  }

  async load(): Promise<Map<string, StoredOffset[]>> {
    await this.ensureTopic();
    const latest = new Map<string, Map<string, StoredOffset>>();
    const { startOffset, endOffset } = await this.storage.offsets(this.topic, 0);
    const records: LogRecord[] = [];
    let next = startOffset;
    while (next < endOffset) {
      const { batches } = await this.storage.fetch(this.topic, 0, { offset: next, maxBytes: FETCH_BYTES });
      if (batches.length === 0) break;
      const before = next;
      let pos = 0;
      while (pos < batches.length) {
        const check = checkBatch(batches, pos);
        if (!check.ok) {
          if (check.reason === 'truncated' && pos > 0) break; // fetch the rest from `next`
          throw new LogError(
            'CORRUPT_RECORD',
            `${this.topic}: bad record batch (${check.reason}) at offset ${next}`,
            {
              topic: this.topic,
              partition: 0,
              offset: next,
            },
          );
        }
        records.length = 0;
        this.decoder.decode(batches, pos, records, next);
        for (const record of records) this.apply(latest, record);
        next = Math.max(next, batchLastOffset(batches, pos) + 1);
        pos += check.size;
      }
      if (next === before) break;
    }

    this.known.clear();
    const result = new Map<string, StoredOffset[]>();
    for (const [groupId, offsets] of latest) {
      if (offsets.size === 0) continue;
      result.set(groupId, [...offsets.values()]);
      this.known.set(groupId, new Set(offsets.keys()));
    }
    return result;
  }

  async save(groupId: string, offsets: readonly StoredOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const records = offsets.map((o): ProducerRecord => ({
      key: recordKey(groupId, o),
      value: JSON.stringify({ offset: o.offset, metadata: o.metadata, commitTimestamp: o.commitTimestamp }),
      timestamp: o.commitTimestamp,
    }));
    await this.append(records);
    let keys = this.known.get(groupId);
    if (!keys) this.known.set(groupId, (keys = new Set()));
    for (const o of offsets) keys.add(partitionKey(o));
  }

  async delete(groupId: string, partitions?: readonly TopicPartition[]): Promise<void> {
    const keys = this.known.get(groupId);
    const targets = partitions?.map(partitionKey) ?? [...(keys ?? [])];
    if (targets.length === 0) return;
    await this.append(targets.map((key): ProducerRecord => ({ key: `${groupId}\0${key}`, value: null })));
    for (const key of targets) keys?.delete(key);
    if (keys?.size === 0) this.known.delete(groupId);
  }

  private async append(records: ProducerRecord[]): Promise<void> {
    await this.ensureTopic();
    let start = 0;
    while (start < records.length) {
      let end = start;
      let bytes = 0;
      while (end < records.length && (end === start || bytes < MAX_BATCH_PAYLOAD)) {
        const r = records[end++]!;
        bytes += String(r.key).length * 3 + (typeof r.value === 'string' ? r.value.length * 3 : 0);
      }
      await this.storage.append(this.topic, 0, this.encoder.encode(records.slice(start, end)));
      start = end;
    }
  }

  private ensureTopic(): Promise<void> {
    if (this.storage.partitionCount(this.topic) !== undefined) return Promise.resolve();
    this.created ??= this.storage
      .createTopic(this.topic, 1, parseTopicConfig({ 'cleanup.policy': 'compact' }))
      .catch((err: unknown) => {
        this.created = undefined;
        if (!isLogError(err, 'TOPIC_ALREADY_EXISTS')) throw err;
      });
    return this.created;
  }

  private apply(latest: Map<string, Map<string, StoredOffset>>, record: LogRecord): void {
    const bad = (why: string): LogError =>
      new LogError('CORRUPT_RECORD', `${this.topic}: record at offset ${record.offset} ${why}`, {
        topic: this.topic,
        partition: 0,
        offset: record.offset,
      });
    if (record.key === null) throw bad('has no key');
    const parts = record.key.toString('utf8').split('\0');
    const [groupId, topic, partitionText] = parts;
    const partition = Number(partitionText);
    if (parts.length !== 3 || !groupId || !topic || !Number.isInteger(partition) || partition < 0) {
      throw bad('has a key that is not group\\0topic\\0partition');
    }
    const key = `${topic}\0${partition}`;
    let group = latest.get(groupId);
    if (!group) latest.set(groupId, (group = new Map()));
    if (record.value === null) {
      group.delete(key);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(record.value.toString('utf8'));
    } catch {
      throw bad('has a value that is not JSON');
    }
    const v = value as Record<string, unknown> | null;
    if (
      typeof v !== 'object' ||
      v === null ||
      !Number.isSafeInteger(v['offset']) ||
      typeof v['metadata'] !== 'string' ||
      !Number.isSafeInteger(v['commitTimestamp'])
    ) {
      throw bad('has a value without offset, metadata and commitTimestamp');
    }
    group.set(key, {
      topic,
      partition,
      offset: v['offset'] as number,
      metadata: v['metadata'],
      commitTimestamp: v['commitTimestamp'] as number,
    });
  }
}

function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}\0${tp.partition}`;
}

function recordKey(groupId: string, tp: TopicPartition): string {
  return `${groupId}\0${partitionKey(tp)}`;
}
