import { mkdir } from 'node:fs/promises';
import {
  ConnectError,
  DataError,
  parseConfig,
  type ConnectLogger,
  type PartitionOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
} from '@sluice/connect-api';
import { checkPaths } from './confined-paths.js';
import { FileSinkConfig } from './file-sink.config.js';
import { PartitionFileWriter } from './partition-file-writer.js';
import { VERSION } from './version.js';

function partitionKey(tp: TopicPartition): string {
  // topic names cannot hold a NUL, so this is unambiguous (and far cheaper than JSON per record)
  return `${tp.topic}\u0000${tp.partition}`;
}

/**
 * Writes each topic-partition's records to its own file (see output-file-names.ts), exactly once
 * across crashes: the sink keeps its own committed offsets in a state file per partition
 * (see partition-file-writer.ts) and, on open(), cuts the file back to the last commit and asks
 * the runtime to resume right after it. The offsets returned by preCommit are the ones persisted,
 * so the group's committed offsets (lag, monitoring) agree, but the state file decides.
 *
 * put() writes lines through to the file (not fsynced); preCommit() fsyncs, persists the state
 * and rolls files that are due. Null values (tombstones) are skipped and counted; values the
 * format cannot hold go to the errant record reporter (errors.tolerance decides).
 */
export class FileSinkTask implements SinkTask {
  private config!: FileSinkConfig;
  private context!: SinkTaskContext;
  private logger!: ConnectLogger;
  private dir!: string;
  private readonly writers = new Map<string, PartitionFileWriter>();
  private commitRequested = false;
  private tombstones = 0;

  version(): string {
    return VERSION;
  }

  /** Null-valued records skipped since start. */
  get skippedTombstones(): number {
    return this.tombstones;
  }

  async start(raw: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    this.logger = context.logger;
    const parsed = parseConfig(FileSinkConfig, raw);
    if (!parsed.ok) {
      throw new ConnectError(
        `invalid file sink config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
      );
    }
    this.config = parsed.config;
    const checked = await checkPaths(raw, [{ field: 'path', value: this.config.path }]);
    if (checked.errors.length > 0)
      throw new ConnectError(checked.errors.flatMap((e) => e.messages).join('; '));
    this.dir = checked.realPaths.get('path')!;
    await mkdir(this.dir, { recursive: true });
  }

  async open(partitions: TopicPartition[]): Promise<void> {
    for (const tp of partitions) await this.writerFor(tp);
  }

  async put(records: SinkRecord[]): Promise<void> {
    const now = Date.now();
    const touched = new Set<PartitionFileWriter>();
    let writer: PartitionFileWriter | null = null;
    for (const record of records) {
      // records come in runs of one partition: its writer is looked up once a run
      if (writer === null || !writer.holds(record.topic, record.kafkaPartition))
        writer = await this.writerFor({ topic: record.topic, partition: record.kafkaPartition });
      if (!writer.admit(record.kafkaOffset)) continue;
      touched.add(writer);
      if (record.value === null || record.value === undefined) {
        this.tombstones++;
        writer.skip(record.kafkaOffset);
        continue;
      }
      try {
        writer.append(record, now);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        // skipped only once reported: under errors.tolerance=none report throws, and a record
        // marked skipped would be committed past when the partition is closed, and lost
        await this.context.errantRecordReporter.report(record, err);
        writer.skip(record.kafkaOffset);
      }
    }
    for (const writer of touched) {
      await writer.flush();
      if (!this.commitRequested && this.rollDue(writer, now)) {
        // Files roll at commits only (see partition-file-writer.ts): ask for one now.
        this.commitRequested = true;
        this.context.requestCommit();
      }
    }
  }

  async preCommit(offsets: PartitionOffsets): Promise<PartitionOffsets> {
    const now = Date.now();
    const given = new Map<string, string>();
    for (const [key, { partition }] of offsets) given.set(partitionKey(partition), key);
    const committed: PartitionOffsets = new Map();
    for (const [tpKey, writer] of this.writers) {
      const key = given.get(tpKey);
      const offered = key === undefined ? null : offsets.get(key)!.offset;
      // Never behind what the file holds (that would write records twice after a restart).
      const offset = Math.max(offered ?? -1, writer.nextOffset ?? -1);
      if (offset < 0) continue;
      await writer.commit(offset);
      if (key !== undefined) committed.set(key, { partition: writer.tp, offset });
      if (this.rollDue(writer, now)) await writer.roll();
    }
    this.commitRequested = false;
    return committed;
  }

  /** Commits and gives up the partitions' files (see PartitionFileWriter.release). */
  async close(partitions: TopicPartition[]): Promise<void> {
    let failure: Error | null = null;
    for (const tp of partitions) {
      const key = partitionKey(tp);
      const writer = this.writers.get(key);
      if (!writer) continue;
      this.writers.delete(key);
      // one partition's failure must not keep the others claimed
      await writer.release().catch((err: unknown) => (failure ??= err as Error));
    }
    if (failure) throw failure;
  }

  async stop(): Promise<void> {
    await this.close([...this.writers.values()].map((w) => w.tp));
    if (this.tombstones > 0)
      this.logger.info({ tombstones: this.tombstones }, 'skipped records with null values');
  }

  private rollDue(writer: PartitionFileWriter, now: number): boolean {
    return writer.rollDue(now, this.config['roll.size.bytes'], this.config['roll.interval.ms']);
  }

  private async writerFor(tp: TopicPartition): Promise<PartitionFileWriter> {
    const key = partitionKey(tp);
    const existing = this.writers.get(key);
    if (existing) return existing;
    const writer = await PartitionFileWriter.open(tp, {
      dir: this.dir,
      format: this.config.format,
      logger: this.logger,
      connector: this.context.connector,
      topicId: (await this.context.topicId?.(tp.topic)) ?? null,
    });
    this.writers.set(key, writer);
    if (writer.committedOffset !== null) this.context.offset(tp, writer.committedOffset);
    return writer;
  }
}
