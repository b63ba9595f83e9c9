import {
  ConnectError,
  DataError,
  parseConfig,
  RetriableError,
  type ConnectLogger,
  type ConnectorSignal,
  type RecordMetadata,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@sluice/connect-api';
import type pg from 'pg';
import { tablesWithoutReplicaIdentity } from './catalog-reader.js';
import { ChangeEventBuilder, type EnvelopeOp } from './change-event-builder.js';
import { DurablePosition } from './durable-position.js';
import { IncrementalSnapshot } from './incremental-snapshot.js';
import { KeyOrder } from './key-order.js';
import { formatLsn, lsnToOffset, maxLsn, type Lsn } from './lsn.js';
import { closeClient, connectClient } from './pg-session.js';
import { isRetriablePgError, sqlState, toConnectError } from './pg-errors.js';
import { PgTypeRegistry } from './pg-type-registry.js';
import { PostgresSourceConfig } from './postgres-source.config.js';
import { capturedTablesForPublication } from './publication-tables.js';
import { ensurePublication } from './publication.js';
import { ReplicationStream } from './replication-stream.js';
import { createSlot, slotInfo, slotMismatch, temporarySlotName } from './replication-slot.js';
import { SnapshotPassFilter } from './snapshot-pass-filter.js';
import { SnapshotRequestError, splitTableName } from './snapshot-request.js';
import { SnapshotSession } from './snapshot-session.js';
import { parseOffset, sourcePartition, type SnapshotState, type StreamPosition } from './source-offset.js';
import { planStart } from './source-start-plan.js';
import { filterConfigErrors, MessageKeyColumns, TableFilter } from './table-filter.js';
import { TableSchema, type TableDescriptor } from './table-schema.js';
import type { ConverterContext } from './value-converter.js';
import { VERSION } from './version.js';
import { WalChangeEmitter } from './wal-change-emitter.js';
import { logicalMessageWatermarks, signalTableWatermarks, type WatermarkWriter } from './watermark-writer.js';

/** How often lag and retained WAL are measured (at most: status.update.interval.ms when shorter). */
const METRICS_INTERVAL_MS = 5_000;
/** server_version_num from which pgoutput streams logical decoding messages. */
const PG_MESSAGES_VERSION = 140_000;

type Phase =
  | { kind: 'snapshot'; session: SnapshotSession; then: 'stream' | 'idle' }
  | { kind: 'stream'; stream: ReplicationStream; client: pg.Client; emitter: WalChangeEmitter }
  | { kind: 'reconnect' }
  | { kind: 'idle' };

/**
 * Captures changes of a PostgreSQL database over logical replication (pgoutput), as Debezium's
 * PostgreSQL connector does: an optional consistent snapshot, then the stream, in Debezium's
 * event format. One task per connector (one slot cannot be shared).
 *
 * start():  publication and slot set up; the plan (snapshot or not) from snapshot.mode, the
 *           committed offset and the slot; a snapshot pass opened in an exported snapshot.
 * poll():   snapshot chunks while the snapshot lasts, then stream changes (and heartbeats).
 * commitRecord()/commit(): the slot is acknowledged up to the end of the last transaction whose
 *           records are all durable (DurablePosition); never further.
 * handleSignal(): execute-snapshot / stop-snapshot of incremental snapshots (IncrementalSnapshot),
 *           as the signal table does.
 * stop():   connections closed; the slot stays (the connector drops it on delete when asked).
 */
export class PostgresSourceTask implements SourceTask {
  private config!: PostgresSourceConfig;
  private context!: SourceTaskContext;
  private logger!: ConnectLogger;
  private catalog: pg.Client | null = null;
  /** The catalog connection went away: the next poll connects a new one. */
  private catalogLost = false;
  private serverVersion = 0;
  private incremental: IncrementalSnapshot | null = null;
  private types!: PgTypeRegistry;
  private filter!: TableFilter;
  private keyColumns!: MessageKeyColumns;
  private builder!: ChangeEventBuilder;
  private converterContext!: ConverterContext;
  private readonly durable = new DurablePosition();
  private phase: Phase = { kind: 'idle' };
  /** Where streaming (re)starts: everything before it is delivered. */
  private position!: StreamPosition;
  /** What the slot was last told is durable: a stream opened after a reconnect starts from it. */
  private acknowledgedLsn: Lsn | null = null;
  private snapshotState: SnapshotState | null = null;
  private lastHeartbeat = Date.now();
  private heartbeatLsn: Lsn = 0n;
  private lastMetrics = 0;
  private snapshotRows = 0;
  private failure: Error | null = null;
  private stopped = false;

  version(): string {
    return VERSION;
  }

  async start(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const parsed = parseConfig(PostgresSourceConfig, raw);
    if (!parsed.ok)
      throw new ConnectError(
        `invalid postgres-source config: ${parsed.errors.flatMap((e) => e.messages).join('; ')}`,
      );
    const config = parsed.config;
    const filterErrors = filterConfigErrors(config);
    if (filterErrors.length > 0)
      throw new ConnectError(
        `invalid postgres-source config: ${filterErrors.flatMap((e) => e.messages).join('; ')}`,
      );
    this.config = config;
    this.context = context;
    this.logger = context.logger;
    this.filter = new TableFilter(config);
    try {
      this.keyColumns = new MessageKeyColumns(config['message.key.columns']);
    } catch (err) {
      throw new ConnectError(`invalid message.key.columns: ${(err as Error).message}`);
    }
    const prefix = config['topic.prefix'];
    this.builder = new ChangeEventBuilder(
      prefix,
      config['database.dbname'],
      sourcePartition(prefix),
      config['topic.heartbeat.prefix'],
    );
    try {
      await this.setUp();
    } catch (err) {
      await this.stop();
      throw toConnectError(err, 'postgres-source could not start');
    }
  }

  private async setUp(): Promise<void> {
    const c = this.config;
    const catalog = await this.connectCatalog();
    this.serverVersion = Number(
      (await catalog.query<{ v: string }>('SELECT current_setting($1) AS v', ['server_version_num'])).rows[0]
        ?.v ?? 0,
    );
    this.types = new PgTypeRegistry(
      async (sql, params) => (await this.catalogClient().query(sql, params)).rows,
    );
    await this.types.loadAll();
    this.converterContext = {
      types: this.types,
      modes: {
        decimal: c['decimal.handling.mode'] as ConverterContext['modes']['decimal'],
        binary: c['binary.handling.mode'] as ConverterContext['modes']['binary'],
        time: c['time.precision.mode'] as ConverterContext['modes']['time'],
        interval: c['interval.handling.mode'] as ConverterContext['modes']['interval'],
        moneyFractionDigits: c['money.fraction.digits'],
        placeholder: c['unavailable.value.placeholder'],
      },
    };
    const offset = parseOffset(await this.context.offsetStorageReader.offset(this.builder.sourcePartition));
    const captured = await capturedTablesForPublication(catalog, this.filter);
    for (const table of await tablesWithoutReplicaIdentity(catalog, captured))
      this.logger.warn(
        `postgres-source: ${table} has no primary key and no replica identity: while the publication publishes its updates and deletes, Postgres refuses UPDATE and DELETE on it ("does not have a replica identity"). Run ALTER TABLE ${table} REPLICA IDENTITY FULL (or USING INDEX), or leave it out of table.include.list`,
      );
    try {
      await ensurePublication(
        catalog,
        c['publication.name'],
        c['publication.autocreate.mode'],
        captured,
        (message) => this.logger.warn(`postgres-source: ${message}`),
      );
    } catch (err) {
      if (sqlState(err) !== '42501') throw err;
      throw new ConnectError(
        `cannot set up publication ${c['publication.name']} (publication.autocreate.mode=${c['publication.autocreate.mode']}): ${(err as Error).message}; all_tables needs a superuser and filtered ownership of the tables, or create the publication yourself and set publication.autocreate.mode=disabled`,
        { cause: err },
      );
    }
    const slot = await slotInfo(catalog, c['slot.name']);
    const mismatch = slot && slotMismatch(slot, c['database.dbname']);
    if (mismatch) throw new ConnectError(mismatch);
    const plan = planStart(c['snapshot.mode'], offset, slot !== null);
    if (plan.gap) this.logger.warn(`postgres-source: ${plan.gap}; streaming from the slot's new start`);

    let exported: { lsn: Lsn; name: string; replication: pg.Client } | null = null;
    // initial_only streams nothing: a slot of its own would hold the server's WAL back for good
    if (!slot && plan.stream) {
      const replication = await connectClient(c, { replication: true });
      const created = await createSlot(replication, c['slot.name'], {
        exportSnapshot: plan.snapshot !== 'none',
      });
      this.logger.info(
        `postgres-source: created replication slot ${c['slot.name']} at ${formatLsn(created.consistentPoint)}`,
      );
      this.position = { commitLsn: created.consistentPoint, event: 0 };
      if (created.snapshotName)
        exported = { lsn: created.consistentPoint, name: created.snapshotName, replication };
      else await closeClient(replication);
    } else {
      this.position = offset?.stream ?? { commitLsn: slot?.confirmedFlush ?? 0n, event: 0 };
      if (plan.snapshot !== 'none') {
        // a later consistent point than the slot's: the pass filter drops what it already holds
        const replication = await connectClient(c, { replication: true });
        const temporary = await createSlot(replication, temporarySlotName(c['slot.name'], process.pid), {
          exportSnapshot: true,
          temporary: true,
        });
        exported = { lsn: temporary.consistentPoint, name: temporary.snapshotName!, replication };
        if (!slot) this.position = { commitLsn: temporary.consistentPoint, event: 0 };
      }
    }
    if (offset?.snapshot && plan.snapshot === 'none') this.snapshotState = offset.snapshot;
    this.incremental = new IncrementalSnapshot(
      {
        catalog: () => this.catalogClient(),
        captures: (schema, table) => this.filter.captures(schema, table),
        keyColumns: this.keyColumns,
        builder: this.builder,
        schemaFor: (d) => this.schemaFor(d.descriptor),
        chunkSize: c['incremental.snapshot.chunk.size'],
        watermarks: await this.watermarkWriter(),
        reporter: this.context.reporter,
        warn: (m) => this.logger.warn(`postgres-source: ${m}`),
        info: (m) => this.logger.info(`postgres-source: ${m}`),
      },
      plan.snapshot === 'none' ? (offset?.incremental ?? null) : null,
    );

    if (exported) {
      const resume = plan.snapshot === 'resume' && offset?.snapshot ? offset : null;
      const at = resume?.snapshotAt ?? { table: 0, key: null, rows: 0 };
      const previous = resume?.snapshot;
      const state: SnapshotState = {
        done: false,
        tables: previous?.tables ?? [],
        totals: previous?.totals ?? [],
        counts: previous?.counts ?? [],
        passes: [
          ...(previous?.passes ?? []),
          { lsn: lsnToOffset(exported.lsn), table: at.table, key: at.key },
        ],
      };
      if (resume)
        this.logger.info(
          `postgres-source: resuming the snapshot at table ${state.tables[at.table] ?? at.table} in a new exported snapshot at ${formatLsn(exported.lsn)}`,
        );
      try {
        const session = await SnapshotSession.open({
          connection: c,
          snapshotName: exported.name,
          state,
          start: at,
          stream: this.position,
          filter: this.filter,
          keyColumns: this.keyColumns,
          chunkSize: c['snapshot.fetch.size'],
          batchSize: c['max.batch.size'],
          builder: this.builder,
          schemaFor: (d) => this.schemaFor(d.descriptor),
          warn: (m) => this.logger.warn(`postgres-source: ${m}`),
        });
        this.phase = { kind: 'snapshot', session, then: plan.stream ? 'stream' : 'idle' };
      } finally {
        // the snapshot is imported (or failed): the exporting connection may go
        await closeClient(exported.replication);
      }
    } else if (plan.stream) {
      await this.openStream();
    }
  }

  /**
   * Incremental snapshot watermarks: rows of the signal table when it is set and published (as
   * Debezium), else logical decoding messages (PostgreSQL 14+), else none.
   */
  private async watermarkWriter(): Promise<WatermarkWriter | null> {
    const signalTable = this.config['signal.data.collection'];
    const messages = this.serverVersion >= PG_MESSAGES_VERSION ? logicalMessageWatermarks() : null;
    if (!signalTable) return messages;
    const { schema, table } = splitTableName(signalTable);
    const { rows } = await this.catalogClient().query(
      'SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3',
      [this.config['publication.name'], schema, table],
    );
    if (rows.length > 0) return signalTableWatermarks(signalTable);
    this.logger.warn(
      `postgres-source: signal table ${signalTable} is not in publication ${this.config['publication.name']}, so its rows are not seen; add it to the publication (or to table.include.list)`,
    );
    return messages;
  }

  private async connectCatalog(): Promise<pg.Client> {
    let connected: pg.Client | null = null;
    const client = await connectClient(this.config, { applicationName: 'sluice-postgres-catalog' }, (err) => {
      if (connected) this.loseCatalog(connected, err);
    });
    connected = client;
    client.on('end', () => this.loseCatalog(client, new Error('the connection closed')));
    this.catalog = client;
    this.catalogLost = false;
    return client;
  }

  private loseCatalog(client: pg.Client, err: Error): void {
    if (this.stopped || client !== this.catalog || this.catalogLost) return;
    this.catalogLost = true;
    this.logger.warn(`postgres-source: catalog connection lost (${err.message}); reconnecting`);
  }

  private catalogClient(): pg.Client {
    if (!this.catalog) throw new RetriableError('the catalog connection is not open');
    return this.catalog;
  }

  /** Replaces a lost catalog connection (a retriable error while the server cannot be reached). */
  private async ensureCatalog(): Promise<void> {
    if (!this.catalogLost) return;
    const old = this.catalog;
    try {
      await this.connectCatalog();
    } catch (err) {
      throw toRetriable(err, 'reconnecting the catalog connection');
    }
    await closeClient(old, 1_000);
    this.logger.info('postgres-source: catalog connection re-established');
  }

  private schemaFor(descriptor: TableDescriptor): TableSchema {
    const id = `${descriptor.schema}.${descriptor.table}`;
    return new TableSchema(
      descriptor,
      this.config['topic.prefix'],
      this.converterContext,
      (column, message) => this.logger.warn(`postgres-source: ${id}.${column} ${message}`),
    );
  }

  private async openStream(): Promise<void> {
    const c = this.config;
    const client = await connectClient(c, { replication: true }, (err) => this.fail(err));
    const stream = new ReplicationStream(client, {
      slot: c['slot.name'],
      publication: c['publication.name'],
      startLsn: this.position.commitLsn,
      // after a reconnect, position is what was handed out, not what is durable
      acknowledged: this.acknowledgedLsn ?? undefined,
      maxQueue: c['max.queue.size'],
      statusIntervalMs: c['status.update.interval.ms'],
      silenceTimeoutMs: c['replication.timeout.ms'],
      messages: this.serverVersion >= PG_MESSAGES_VERSION,
    });
    const state = this.snapshotState;
    const passFilter =
      state && state.passes.length > 0 ? new SnapshotPassFilter(state, this.keyOrderFn()) : null;
    const active = passFilter && passFilter.until > this.position.commitLsn ? passFilter : null;
    const skipped = new Set(
      c['skipped.operations']
        .split(',')
        .map((s) => s.trim())
        .filter((s): s is EnvelopeOp => ['c', 'u', 'd', 't'].includes(s)),
    );
    const emitter = new WalChangeEmitter({
      catalog: () => this.catalogClient(),
      types: this.types,
      filter: this.filter,
      keyColumns: this.keyColumns,
      builder: this.builder,
      durable: this.durable,
      schemaFor: (d) => this.schemaFor(d),
      resume: this.position,
      passFilter: active,
      snapshotState: active ? state : null,
      tombstones: c['tombstones.on.delete'],
      skipped,
      signalTable: c['signal.data.collection'] || null,
      observer: this.incremental,
      warn: (m) => this.logger.warn(`postgres-source: ${m}`),
    });
    stream.start();
    this.phase = { kind: 'stream', stream, client, emitter };
    this.logger.info(
      `postgres-source: streaming slot ${c['slot.name']} from ${formatLsn(this.position.commitLsn)}`,
    );
  }

  private keyOrderFn(): (table: string, a: readonly string[], b: readonly string[]) => Promise<boolean> {
    const order = new KeyOrder(() => this.catalogClient());
    return (table, a, b) => order.after(table, a, b);
  }

  async poll(): Promise<SourceRecord[]> {
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      throw failure;
    }
    this.acknowledge();
    await this.ensureCatalog();
    const phase = this.phase;
    switch (phase.kind) {
      case 'snapshot':
        return this.pollSnapshot(phase.session, phase.then);
      case 'stream':
        return this.pollStream(phase.stream, phase.emitter);
      case 'reconnect':
        try {
          await this.openStream();
        } catch (err) {
          this.phase = { kind: 'reconnect' };
          throw toRetriable(err, 'reconnecting the replication stream');
        }
        return [];
      case 'idle':
        await sleep(this.config['poll.interval.ms'], this.context.signal);
        return [];
    }
  }

  private async pollSnapshot(session: SnapshotSession, then: 'stream' | 'idle'): Promise<SourceRecord[]> {
    let records: SourceRecord[];
    try {
      records = await session.next();
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      // the exported snapshot lives only as long as the transaction reading it: it cannot be
      // taken up again on a new connection, but a restarted task resumes after the durable rows
      throw new ConnectError(
        `the snapshot failed (${(err as Error).message}); restarting the task (POST /connectors/${this.context.connector}/tasks/${this.context.taskId}/restart, or errors.restart.enable=true) resumes it after the last row that was stored`,
        { cause: err },
      );
    }
    for (const r of records) this.durable.emit(r);
    this.snapshotRows += records.length;
    this.snapshotState = session.state;
    if (session.done) {
      this.context.reporter?.progress(null);
      this.logger.info(`postgres-source: snapshot done (${this.snapshotRows} rows)`);
      // the next poll opens the stream (and retries that, with backoff, while it fails)
      if (then === 'stream') this.phase = { kind: 'reconnect' };
      else {
        this.phase = { kind: 'idle' };
        this.logger.info('postgres-source: snapshot.mode=initial_only, so no streaming follows');
      }
    } else {
      this.context.reporter?.progress({
        phase: 'snapshot',
        items: session.progress().map((p) => ({ name: p.table, done: p.rowsDone, total: p.rowsTotal })),
      });
    }
    this.context.reporter?.gauge(
      'snapshot_rows',
      'Rows read by snapshots since the task started',
      this.snapshotRows,
    );
    return records;
  }

  private async pollStream(stream: ReplicationStream, emitter: WalChangeEmitter): Promise<SourceRecord[]> {
    const c = this.config;
    try {
      await this.incremental!.step();
    } catch (err) {
      throw toConnectError(err, 'incremental snapshot');
    }
    await stream.waitForData(c['poll.interval.ms'], this.context.signal);
    const out: SourceRecord[] = [];
    try {
      // take() throws once the queue is drained and the stream has failed
      while (out.length < c['max.batch.size']) {
        const messages = stream.take(c['max.batch.size'] - out.length);
        if (messages.length === 0) break;
        await emitter.process(messages, out);
      }
    } catch (err) {
      if (err instanceof ConnectError && !err.retriable) throw err;
      if (!(err instanceof RetriableError) && !isRetriablePgError(err) && !this.catalogLost)
        throw toConnectError(err, 'streaming');
      this.position = emitter.position();
      await this.closeStream();
      this.phase = { kind: 'reconnect' };
      this.logger.warn(`postgres-source: ${(err as Error).message}; reconnecting`);
      if (out.length > 0) return out;
      throw toRetriable(err, 'streaming');
    }
    await this.heartbeat(stream, emitter, out);
    this.metrics(stream, emitter);
    return out;
  }

  /**
   * Every heartbeat.interval.ms: the action query, and, while the stream is between transactions
   * with nothing queued, a heartbeat record at the server's WAL end, so the slot moves on (once
   * the record is durable) even when the captured tables are idle.
   */
  private async heartbeat(
    stream: ReplicationStream,
    emitter: WalChangeEmitter,
    out: SourceRecord[],
  ): Promise<void> {
    const interval = this.config['heartbeat.interval.ms'];
    if (interval <= 0 || Date.now() - this.lastHeartbeat < interval) return;
    this.lastHeartbeat = Date.now();
    const action = this.config['heartbeat.action.query'];
    if (action) {
      try {
        await this.catalogClient().query(action);
      } catch (err) {
        this.logger.warn(`postgres-source: heartbeat.action.query failed: ${(err as Error).message}`);
      }
    }
    stream.requestKeepalive();
    const walEnd = stream.serverWalEnd;
    if (emitter.inTransaction || stream.queued > 0 || walEnd <= this.heartbeatLsn) return;
    const at = maxLsn(walEnd, emitter.lastCommitEnd);
    this.heartbeatLsn = at;
    const record = this.builder.heartbeat({
      lsn_commit: lsnToOffset(at),
      event: 0,
      ...emitter.snapshotFieldsAt(at),
      ...this.incremental?.offsetFields(),
    });
    this.durable.emit(record);
    this.durable.complete(at);
    emitter.resumeAt({ commitLsn: at, event: 0 });
    out.push(record);
  }

  private metrics(stream: ReplicationStream, emitter: WalChangeEmitter): void {
    const reporter = this.context.reporter;
    const interval = Math.min(METRICS_INTERVAL_MS, this.config['status.update.interval.ms']);
    if (!reporter || Date.now() - this.lastMetrics < interval) return;
    this.lastMetrics = Date.now();
    const caughtUp = stream.queued === 0 && !emitter.inTransaction;
    const behind =
      stream.serverWalEnd > emitter.lastCommitEnd ? stream.serverWalEnd - emitter.lastCommitEnd : 0n;
    reporter.gauge(
      'replication_lag_bytes',
      'WAL bytes the server has that the task has not emitted yet',
      caughtUp ? 0 : Number(behind),
    );
    reporter.gauge(
      'replication_lag_ms',
      'Milliseconds between the commit of the last emitted transaction and now, while behind',
      caughtUp || emitter.lastCommitTimeMs === 0 ? 0 : Math.max(0, Date.now() - emitter.lastCommitTimeMs),
    );
    reporter.gauge(
      'slot_acknowledged_lsn',
      'Position the slot is acknowledged up to',
      Number(stream.acknowledged),
    );
    if (this.catalogLost) return;
    this.catalog
      ?.query<{ retained: string | null }>(
        'SELECT (pg_current_wal_lsn() - restart_lsn)::int8::text AS retained FROM pg_replication_slots WHERE slot_name = $1',
        [this.config['slot.name']],
      )
      .then(({ rows }) => {
        const retained = rows[0]?.retained;
        if (retained != null)
          reporter.gauge(
            'slot_retained_wal_bytes',
            'WAL the server keeps for the slot (current WAL end - restart_lsn)',
            Number(retained),
          );
      })
      .catch(() => undefined);
  }

  /** execute-snapshot / stop-snapshot (Debezium's data); anything else, or a table it cannot snapshot, is a DataError. */
  async handleSignal(signal: ConnectorSignal): Promise<void> {
    const incremental = this.incremental;
    if (!incremental) throw new DataError('postgres-source is not running');
    try {
      await incremental.accept(signal.type, signal.data);
    } catch (err) {
      if (err instanceof SnapshotRequestError) throw new DataError(`signal ${signal.id}: ${err.message}`);
      throw toConnectError(err, `signal ${signal.id}`);
    }
    this.logger.info(`postgres-source: signal ${signal.id} (${signal.type}) accepted`);
  }

  commitRecord(record: SourceRecord, _metadata: RecordMetadata | null): void {
    this.durable.durableRecord(record);
  }

  commit(): void {
    this.acknowledge();
  }

  /** Tells the slot what is durable (the runtime has the offsets of it, in the log at least). */
  private acknowledge(): void {
    // between streams the position stays with the tracker until a stream can send it
    if (this.phase.kind !== 'stream') return;
    const lsn = this.durable.take();
    if (lsn !== null) this.phase.stream.acknowledge(lsn);
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.failure ??= toRetriable(err, 'connection to the source database');
  }

  private async closeStream(): Promise<void> {
    if (this.phase.kind !== 'stream') return;
    const { stream, client } = this.phase;
    this.phase = { kind: 'idle' };
    await stream.close();
    this.acknowledgedLsn = stream.acknowledged;
    await closeClient(client, 2_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.phase.kind === 'snapshot') await this.phase.session.close();
    if (this.phase.kind === 'stream') {
      this.acknowledge();
      await this.closeStream();
    }
    this.phase = { kind: 'idle' };
    await closeClient(this.catalog, 2_000);
    this.catalog = null;
  }
}

function toRetriable(err: unknown, what: string): ConnectError {
  if (err instanceof ConnectError) return err;
  return new RetriableError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
