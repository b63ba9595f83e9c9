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
import { BatchWriter, type WriteFailure } from './batch-writer.js';
import type { PendingBatch } from './pending-batch.js';
import { ChangeExtractor } from './change-extractor.js';
import { connectionSettings, type ConnectionSettings } from './connection-settings.js';
import { describeTarget } from './connection-url.js';
import { describePgError, pgErrorKind } from './pg-error-kind.js';
import { checkSinkConfig, PostgresSinkConfig } from './postgres-sink.config.js';
import type { RowChange, SkipReason } from './row-change.js';
import { partitionKey, SinkOffsetsStore, type StoredOffset } from './sink-offsets-store.js';
import { SinkSession } from './sink-session.js';
import { parseTableName } from './sql-identifier.js';
import { TableCatalog } from './table-catalog.js';
import { compileTableNameFormat } from './table-name-format.js';
import { VERSION } from './version.js';
import { WritePipeline } from './write-pipeline.js';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function where(record: SinkRecord): string {
  return `${record.topic}-${record.kafkaPartition}@${record.kafkaOffset}`;
}

/**
 * Writes records into Postgres tables (see ChangeExtractor for what a record becomes, BatchWriter
 * for how a batch is written, WritePipeline for when).
 *
 * put() turns records into row changes (records that cannot be turned go to the errant record
 * reporter at once, while the runtime still holds their original bytes) and hands them to the
 * pipeline, which writes them in transactions of at most batch.size records in the background,
 * across put() calls, while the runtime fetches and converts the next records. preCommit() returns
 * only the offsets of rows already in the target (Kafka Connect's contract for sinks that write
 * asynchronously), so a committed offset always means the rows before it are durable; flush()
 * waits for everything. Records Postgres refuses are reported from the transaction that found them, possibly
 * after put() returned (the runtime then converts them back for the dead letter queue).
 *
 * Transient errors (connection lost, the server restarting, serialization failures, deadlocks)
 * are retried here, max.retries times with retry.backoff.ms between, on a new connection: the
 * runtime's own retry (errors.retry.timeout) defaults to none, and a sink that gives up on the
 * first dropped connection is not much use. After the last retry the next put() or preCommit()
 * tries the batch once more and throws a ConnectError, which fails the task (as Confluent's JDBC
 * sink does): the records are not to blame, so they do not go to the dead letter queue.
 *
 * exactly.once: the next offset of each partition is written in the batch's transaction; open()
 * reads it back and rewinds the consumer there (context.offset), records below it are skipped
 * (they were fetched before the rewind took effect), and preCommit() returns no offsets, as the
 * target holds them. After a transient failure the stored offsets are read again before the
 * retry, since a COMMIT whose answer was lost may have landed.
 */
export class PostgresSinkTask implements SinkTask {
  private config!: PostgresSinkConfig;
  private context!: SinkTaskContext;
  private logger!: ConnectLogger;
  private settings!: ConnectionSettings;
  private extractor!: ChangeExtractor;
  private writer!: BatchWriter;
  private offsetsStore: SinkOffsetsStore | null = null;
  private session: SinkSession | null = null;
  private pipeline!: WritePipeline;
  /** exactly.once: per partition, the next offset not yet in the target. */
  private readonly floors = new Map<string, number>();
  private readonly skipped = new Map<SkipReason, number>();
  private written = 0;

  version(): string {
    return VERSION;
  }

  /** Records written (or folded into a later change of the same key) since start. */
  get recordsWritten(): number {
    return this.written;
  }

  /** Records skipped since start, by reason (tombstones, disabled deletes, ...). */
  get skippedRecords(): ReadonlyMap<SkipReason, number> {
    return this.skipped;
  }

  async start(raw: Readonly<Record<string, string>>, context: SinkTaskContext): Promise<void> {
    this.context = context;
    this.logger = context.logger;
    const parsed = parseConfig(PostgresSinkConfig, raw);
    if (!parsed.ok)
      throw new ConnectError(
        `invalid postgres-sink config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
      );
    const config = parsed.config;
    const crossField = checkSinkConfig(config);
    if (crossField.length > 0)
      throw new ConnectError(
        `invalid postgres-sink config: ${crossField.flatMap((e) => e.messages).join('; ')}`,
      );
    this.config = config;
    try {
      this.settings = connectionSettings(config);
    } catch (err) {
      throw new ConnectError(`invalid connection.url: ${(err as Error).message}`, { cause: err });
    }
    let tableFormat;
    try {
      tableFormat = compileTableNameFormat(config['table.name.format']);
    } catch (err) {
      throw new ConnectError(`invalid table.name.format: ${(err as Error).message}`, { cause: err });
    }
    this.extractor = new ChangeExtractor({
      pkMode: config['pk.mode'],
      pkFields: config['pk.fields'],
      deleteEnabled: config['delete.enabled'],
      truncateEnabled: config['truncate.enabled'],
      tableFormat,
    });
    if (config['exactly.once'])
      this.offsetsStore = new SinkOffsetsStore(parseTableName(config['offsets.table']), context.connector);
    this.writer = new BatchWriter({
      mode: config['insert.mode'],
      catalog: new TableCatalog({
        mode: config['insert.mode'],
        autoCreate: config['auto.create'],
        autoEvolve: config['auto.evolve'],
        logger: this.logger,
      }),
      offsets: this.offsetsStore,
    });
    this.pipeline = new WritePipeline(config['batch.size'], (batch) => this.writeBatch(batch));
    // Connect now so that a wrong password fails the task at once. A server that is down is not
    // waited for here (start() holds up the worker): put() retries like any transient failure.
    try {
      await this.ensureSession();
    } catch (err) {
      if (pgErrorKind(err) !== 'transient')
        throw new ConnectError(`postgres-sink cannot connect: ${hintFor(err)}`, { cause: err });
      this.logger.warn(
        { err },
        `postgres-sink cannot reach ${describeTarget(this.settings.target)} yet; will retry`,
      );
    }
  }

  async open(partitions: TopicPartition[]): Promise<void> {
    if (!this.offsetsStore || partitions.length === 0) return;
    // one connection: no query between the statements of a batch being written
    await this.pipeline.idle();
    for (const topic of new Set(partitions.map((tp) => tp.topic)))
      this.offsetsStore.noteTopicId(topic, (await this.context.topicId?.(topic)) ?? null);
    const { offsets: stored, stale } = await this.withRetries('read offsets', (session) =>
      this.offsetsStore!.read(session.client, session.currentSchema, partitions),
    );
    for (const s of stale)
      this.logger.warn(
        { topic: s.topic, partition: s.partition, storedOffset: s.offset },
        `topic ${s.topic} was deleted and created again since offset ${s.offset} of partition ${s.partition} was stored in ${this.config['offsets.table']}: that offset was the old topic's; the new one is read from where the connector's group offsets say (its start)`,
      );
    for (const tp of partitions) {
      const offset = stored.get(partitionKey(tp.topic, tp.partition));
      if (offset === undefined) continue;
      this.floors.set(partitionKey(tp.topic, tp.partition), offset);
      this.context.offset(tp, offset);
    }
  }

  async put(records: SinkRecord[]): Promise<void> {
    await this.pipeline.settle();
    this.pipeline.add(await this.changesOf(records));
    await this.pipeline.backpressure();
  }

  /**
   * The offsets of what is already in the target: a partition with records still pending commits
   * up to its first pending record. Waiting here for the writes would stall the runtime's poll
   * loop at every offset.flush.interval.ms; only the last commit of a stopping task flushes.
   * With exactly.once the target holds the offsets, written with the rows: none are returned.
   */
  async preCommit(offsets: PartitionOffsets): Promise<PartitionOffsets> {
    if (this.context.signal.aborted) await this.pipeline.flush();
    else await this.pipeline.settle();
    if (this.offsetsStore) return new Map();
    if (this.pipeline.empty) return offsets;
    const safe: PartitionOffsets = new Map();
    for (const [key, position] of offsets) {
      const pending = this.pipeline.firstUnwritten(
        partitionKey(position.partition.topic, position.partition.partition),
      );
      if (pending === undefined) safe.set(key, position);
      else if (pending < position.offset) safe.set(key, { partition: position.partition, offset: pending });
    }
    return safe;
  }

  /** Writes everything put so far (Kafka Connect's flush). */
  async flush(): Promise<void> {
    await this.pipeline.flush();
  }

  async close(partitions: TopicPartition[]): Promise<void> {
    // their records not yet written are not committed either: the next owner gets them again
    await this.pipeline.drop(partitions);
    for (const tp of partitions) this.floors.delete(partitionKey(tp.topic, tp.partition));
  }

  async stop(): Promise<void> {
    // what was never flushed is not committed either: the next owner gets those records again
    await this.pipeline?.idle();
    const session = this.session;
    this.session = null;
    await session?.close();
    if (this.skipped.size > 0)
      this.logger.info({ skipped: Object.fromEntries(this.skipped) }, 'postgres-sink skipped records');
  }

  /** The records' row changes, null for those that write nothing; all or nothing (a report may throw). */
  private async changesOf(
    records: readonly SinkRecord[],
  ): Promise<{ record: SinkRecord; change: RowChange | null }[]> {
    const eos = this.offsetsStore !== null;
    const out: { record: SinkRecord; change: RowChange | null }[] = [];
    for (const record of records) {
      if (eos && record.kafkaOffset < this.floorOf(record)) {
        // fetched before open()'s rewind took effect: already in the target
        this.count('before start offset');
        continue;
      }
      let change: RowChange;
      try {
        change = this.extractor.extract(record);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        await this.context.errantRecordReporter.report(
          record,
          new DataError(`${where(record)}: ${err.message}`),
        );
        out.push({ record, change: null });
        continue;
      }
      if (change.kind === 'skip') this.count(change.reason);
      out.push({ record, change: change.kind === 'skip' ? null : change });
    }
    return out;
  }

  private async writeBatch(batch: PendingBatch): Promise<void> {
    const eos = this.offsetsStore !== null;
    const changes = batch.changes;
    const offsets = [...batch.offsets.values()];
    if (offsets.length === 0) return;
    await this.withRetries('write', async (session) => {
      let todo = changes;
      let todoOffsets = offsets;
      if (eos) {
        // the COMMIT of a failed attempt (this call's, or one whose retries ran out before) may
        // have landed: skip what the target already holds
        if (batch.attempted) await this.refreshFloors(session, offsets);
        // and always what is below the floors, which a refused batch may have raised after this
        // one was gathered: the write then starts where `from` below says
        todo = changes.filter((c) => c.record.kafkaOffset >= this.floorOf(c.record));
        todoOffsets = offsets.filter(
          (o) => o.offset > (this.floors.get(partitionKey(o.topic, o.partition)) ?? -1),
        );
        if (todoOffsets.length === 0) return;
      }
      batch.attempted = true;
      // where each partition's write starts: the stored offset must not be past it (see SinkOffsetsStore.write)
      const fenced = eos
        ? todoOffsets.map((o) => {
            const key = partitionKey(o.topic, o.partition);
            return { ...o, from: Math.max(batch.first.get(key) ?? o.offset, this.floors.get(key) ?? -1) };
          })
        : todoOffsets;
      await this.writer.write(session, todo, fenced, (failures) => this.report(failures));
      this.written += todo.length;
    });
    if (eos)
      for (const o of offsets) {
        const key = partitionKey(o.topic, o.partition);
        // never back: another writer may have been further (see SinkOffsetsStore.write)
        this.floors.set(key, Math.max(o.offset, this.floors.get(key) ?? -1));
      }
  }

  private count(reason: SkipReason): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  private floorOf(record: SinkRecord): number {
    return this.floors.get(partitionKey(record.topic, record.kafkaPartition)) ?? -1;
  }

  private async refreshFloors(session: SinkSession, offsets: readonly StoredOffset[]): Promise<void> {
    const stored = await this.offsetsStore!.read(
      session.client,
      session.currentSchema,
      offsets.map((o) => ({ topic: o.topic, partition: o.partition })),
    );
    for (const [key, offset] of stored.offsets)
      this.floors.set(key, Math.max(offset, this.floors.get(key) ?? -1));
  }

  private async report(failures: readonly WriteFailure[]): Promise<void> {
    for (const { change, error } of failures) {
      const record = change.record;
      const failure = new DataError(`${where(record)}: ${describePgError(error)}`, { cause: error });
      try {
        await this.context.errantRecordReporter.report(record, failure);
      } catch (err) {
        // errors.tolerance=none: the task fails with this record's error
        throw new ConnectError(`postgres-sink cannot write record ${failure.message}`, { cause: err });
      }
    }
  }

  private async ensureSession(): Promise<SinkSession> {
    if (this.session?.failure) {
      await this.session.close();
      this.session = null;
    }
    if (!this.session) {
      const session = await SinkSession.open(this.settings);
      try {
        if (this.offsetsStore) await this.offsetsStore.ensure(session.client, session.currentSchema);
      } catch (err) {
        // not yet this.session, which a retry closes: its connection would be left open
        await session.close();
        throw err;
      }
      this.session = session;
    }
    return this.session;
  }

  /**
   * Runs `op` on a live session; on a transient failure drops the connection, waits and tries
   * again, up to max.retries times. Fatal errors become a ConnectError saying what to fix.
   */
  private async withRetries<T>(what: string, op: (session: SinkSession) => Promise<T>): Promise<T> {
    const signal = this.context.signal;
    for (let attempt = 0; ; attempt++) {
      try {
        return await op(await this.ensureSession());
      } catch (err) {
        // ours, already saying what went wrong (a fatal table problem, a record that failed the task)
        if (err instanceof ConnectError && !(err instanceof DataError)) throw err;
        const kind = pgErrorKind(err);
        if (kind === 'transient') {
          const session = this.session;
          this.session = null;
          await session?.close();
          const target = describeTarget(this.settings.target);
          if (attempt < this.config['max.retries'] && !signal.aborted) {
            this.logger.warn(
              { err, attempt: attempt + 1, of: this.config['max.retries'] },
              `postgres-sink ${what} on ${target} failed (${describePgError(err)}); retrying in ${this.config['retry.backoff.ms']} ms`,
            );
            await sleep(this.config['retry.backoff.ms'], signal);
            continue;
          }
          throw new ConnectError(
            `postgres-sink ${what} on ${target} still failing after ${attempt} retries (max.retries): ${describePgError(err)}`,
            { cause: err },
          );
        }
        if (kind === 'fatal')
          throw new ConnectError(`postgres-sink ${what} failed: ${hintFor(err)}`, { cause: err });
        throw err;
      }
    }
  }
}

/** The error with what to change, for the errors users cause by configuration. */
function hintFor(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const text = describePgError(err);
  switch (code) {
    case '28P01':
      return `${text}: check connection.user and connection.password`;
    case '28000':
      return `${text}: check connection.user and the server's pg_hba.conf`;
    case '3D000':
      return `${text}: create the database or fix the database name in connection.url`;
    case '42501':
      return `${text}: grant the privilege to connection.user, or create the tables beforehand and turn auto.create/auto.evolve off`;
    default:
      return text;
  }
}
