import { LogError } from '../errors.js';
import { isCompressionSupported, type CompressionType, COMPRESSION_TYPES } from '../format/compression.js';
import { RecordBatchEncoder } from '../format/record-batch-encoder.js';
import { recordDataBuffer, type ProducerRecord } from '../record.js';
import type { AppendResult, LogStorage } from '../storage/log-storage.js';
import { BatchBufferPool } from './batch-buffer-pool.js';
import { DefaultPartitioner, type Partitioner } from './partitioner.js';

export interface ProducerOptions {
  compression?: CompressionType;
  /** Records of one send to one partition are cut into batches of about this many bytes. */
  maxBatchBytes?: number;
  partitioner?: Partitioner;
  /**
   * Reuse the buffers of large batches once their appends complete (default true). Off where
   * batches are handed to another thread, which takes their memory.
   */
  poolBuffers?: boolean;
}

export interface SendRequest {
  topic: string;
  records: readonly ProducerRecord[];
}

/** Where one record landed. */
export interface RecordPosition {
  partition: number;
  offset: number;
}

/** Where one batch of a send landed. */
export interface RecordMetadata extends AppendResult {
  topic: string;
  partition: number;
}

/** Just under Kafka's default max.message.bytes (1 MiB + 12), so default batches always fit. */
const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;
/** Smaller batches come from Node's own buffer pool, which must never be handed back to ours. */
const POOLED_BATCH_BYTES = 64 * 1024;

/**
 * Sends records to the log. Each send encodes one batch per partition (more when it exceeds
 * maxBatchBytes) and resolves once every batch is durable. Sends may overlap: their batches are
 * appended in call order, and concurrent sends share fsyncs, so a producer that keeps several
 * sends in flight gets the log's full throughput.
 */
export class Producer {
  private readonly encoder = new RecordBatchEncoder();
  private readonly partitioner: Partitioner;
  private readonly compression: CompressionType;
  private readonly maxBatchBytes: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly pool: BatchBufferPool;
  private readonly allocate: (size: number) => Buffer;
  private readonly reuseBuffers: boolean;
  private closed = false;

  constructor(
    private readonly storage: LogStorage,
    options: ProducerOptions = {},
  ) {
    this.compression = options.compression ?? 'none';
    if (!COMPRESSION_TYPES.includes(this.compression) || !isCompressionSupported(this.compression)) {
      throw new LogError(
        'INVALID_CONFIG',
        `compression ${JSON.stringify(options.compression)} is not available`,
        {
          field: 'compression.type',
          allowed: COMPRESSION_TYPES.filter(isCompressionSupported),
        },
      );
    }
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.partitioner = options.partitioner ?? new DefaultPartitioner();
    this.pool = new BatchBufferPool(16, Math.min(this.maxBatchBytes, 1024 * 1024));
    this.allocate =
      options.poolBuffers === false
        ? (size) => (size >= POOLED_BATCH_BYTES ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size))
        : (size) => (size >= POOLED_BATCH_BYTES ? this.pool.take(size) : Buffer.allocUnsafe(size));
    this.reuseBuffers = options.poolBuffers !== false;
  }

  send(request: SendRequest): Promise<RecordMetadata[]> {
    let result: Promise<RecordMetadata[]>;
    try {
      result = Promise.all(this.appendAll(request, null));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.track(result);
  }

  /** Like send(), but resolves with where each record landed, in the order given. */
  sendEach(request: SendRequest): Promise<RecordPosition[]> {
    const positions: RecordPosition[] = new Array<RecordPosition>(request.records.length);
    let result: Promise<RecordPosition[]>;
    try {
      result = Promise.all(this.appendAll(request, positions)).then(() => positions);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.track(result);
  }

  private track<T>(result: Promise<T>): Promise<T> {
    this.inFlight.add(result);
    void result.then(
      () => this.inFlight.delete(result),
      () => this.inFlight.delete(result),
    );
    return result;
  }

  /** Encodes and appends; fills `positions` (by record index) when given. */
  private appendAll(request: SendRequest, positions: RecordPosition[] | null): Promise<RecordMetadata>[] {
    if (this.closed) throw new LogError('CLOSED', 'producer is closed');
    const { topic, records } = request;
    const partitionCount = this.storage.partitionCount(topic);
    if (partitionCount === undefined) {
      throw new LogError('UNKNOWN_TOPIC', `topic ${topic} does not exist`, { topic, field: 'topic' });
    }
    if (records.length === 0) return [];
    this.partitioner.nextSend?.(topic, partitionCount);
    const now = Date.now();
    const pending: Promise<RecordMetadata>[] = [];
    for (const [partition, group, indices] of this.byPartition(topic, records, partitionCount)) {
      for (let start = 0; start < group.length;) {
        const from = start;
        const { batch, end } = this.encoder.encodeUpTo(group, start, this.maxBatchBytes, {
          compression: this.compression,
          now,
          allocate: this.allocate,
        });
        pending.push(
          this.storage.append(topic, partition, batch).then((r) => {
            // the append is durable and the storage holds no reference any more
            if (this.reuseBuffers && batch.length >= POOLED_BATCH_BYTES) this.pool.give(batch);
            if (positions) {
              for (let k = from; k < end; k++) {
                positions[indices ? indices[k]! : k] = { partition, offset: r.baseOffset + k - from };
              }
            }
            return { topic, partition, baseOffset: r.baseOffset, lastOffset: r.lastOffset };
          }),
        );
        start = end;
      }
    }
    return pending;
  }

  /**
   * Records by partition, in send order, each group with the records' indices in the send (null
   * when all records go to one partition: then the group is the send itself, not a copy).
   */
  private byPartition(
    topic: string,
    records: readonly ProducerRecord[],
    partitionCount: number,
  ): Iterable<[number, readonly ProducerRecord[], number[] | null]> {
    const partitions = new Int32Array(records.length);
    let sticky = -1; // keyless records of one send share the partitioner's choice
    let uniform = true;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.partition === undefined && (r.key === undefined || r.key === null)) {
        if (sticky < 0) sticky = this.partitioner.partition(topic, null, partitionCount);
        partitions[i] = sticky;
      } else {
        partitions[i] = this.partitionOf(topic, r, partitionCount, i);
      }
      if (partitions[i] !== partitions[0]) uniform = false;
    }
    if (uniform) return [[partitions[0]!, records, null]];
    const groups = new Map<number, [number, ProducerRecord[], number[]]>();
    for (let i = 0; i < records.length; i++) {
      const p = partitions[i]!;
      let group = groups.get(p);
      if (!group) groups.set(p, (group = [p, [], []]));
      group[1].push(records[i]!);
      group[2].push(i);
    }
    return groups.values();
  }

  /** For records with a key or an explicit partition. */
  private partitionOf(topic: string, record: ProducerRecord, partitionCount: number, index: number): number {
    if (record.partition !== undefined) {
      if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= partitionCount) {
        throw new LogError(
          'UNKNOWN_PARTITION',
          `record ${index} names partition ${record.partition}, but topic ${topic} has partitions 0 to ${partitionCount - 1}`,
          { topic, partition: record.partition, field: 'partition' },
        );
      }
      return record.partition;
    }
    return this.partitioner.partition(topic, recordDataBuffer(record.key!), partitionCount);
  }

  /** Waits for every send in flight. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
