import { randomUUID } from 'node:crypto';
import type { SourceRecord, TaskReporter } from '@sluice/connect-api';
import type pg from 'pg';
import { describeTable, findTable, type TableDescription } from './catalog-reader.js';
import type { ChangeEventBuilder } from './change-event-builder.js';
import { ChunkWindow, type ChunkRow } from './chunk-window.js';
import {
  afterRows,
  currentTable,
  nextTable,
  startedTable,
  withoutTables,
  withTables,
  type IncrementalSnapshotState,
} from './incremental-snapshot-state.js';
import { KeyRangeReader } from './key-range-reader.js';
import { quoteIdent } from './pg-session.js';
import type { ReplicationSignalRow } from './signal-row.js';
import {
  parseSnapshotRequest,
  splitTableName,
  SnapshotRequestError,
  type SnapshotRequest,
} from './snapshot-request.js';
import type { StreamObserver } from './stream-observer.js';
import type { MessageKeyColumns } from './table-filter.js';
import type { TableSchema } from './table-schema.js';
import {
  isWatermarkSignal,
  watermarkOfMessage,
  watermarkOfSignal,
  type Watermark,
  type WatermarkWriter,
} from './watermark-writer.js';

export interface IncrementalSnapshotOptions {
  /** The catalog connection as it is now (it is replaced after a reconnect). */
  readonly catalog: () => pg.Client;
  readonly captures: (schema: string, table: string) => boolean;
  readonly keyColumns: MessageKeyColumns;
  readonly builder: ChangeEventBuilder;
  readonly schemaFor: (description: TableDescription) => TableSchema;
  readonly chunkSize: number;
  /** How watermarks are written; null when the server offers no way (no signal table, PostgreSQL < 14). */
  readonly watermarks: WatermarkWriter | null;
  readonly reporter: TaskReporter | undefined;
  readonly warn: (message: string) => void;
  readonly info: (message: string) => void;
}

/** A chunk read and waiting for its watermarks in the stream. */
interface PendingChunk {
  readonly window: ChunkWindow;
  readonly schema: TableSchema;
  /** Key of the last row read (null: none), how many were read, and whether the table is done then. */
  readonly lastKey: readonly string[] | null;
  readonly read: number;
  readonly tableDone: boolean;
}

/**
 * Ad-hoc incremental snapshots while streaming, as Debezium's (the DBLog watermark algorithm):
 * tables are read by primary key in chunks of incremental.snapshot.chunk.size, each chunk between
 * a low and a high watermark written to the WAL (WatermarkWriter); the chunk's rows are held until
 * the high watermark comes through the stream, minus the rows a change inside the window touched
 * (ChunkWindow), and emitted there as op=r with source.snapshot=incremental. The next chunk is read
 * on the next poll. No lock, no long transaction: writers are never held up.
 *
 * The state (tables left, last key) travels in every record's offset while the snapshot runs, so
 * after a crash it resumes after the last durable chunk row; rows of a chunk not yet durable are
 * read again. Requests come from the signal table (applied in stream order) or from
 * handleSignal (validated against the catalog first, applied at the next poll).
 */
export class IncrementalSnapshot implements StreamObserver {
  private state: IncrementalSnapshotState | null = null;
  private fields: Readonly<Record<string, unknown>> | null = null;
  private chunk: PendingChunk | null = null;
  private readonly queued: SnapshotRequest[] = [];
  private readonly schemas = new Map<string, { shape: string; schema: TableSchema }>();

  constructor(
    private readonly o: IncrementalSnapshotOptions,
    resumed: IncrementalSnapshotState | null,
  ) {
    if (resumed) {
      this.setState(resumed);
      o.info(`resuming the incremental snapshot at ${currentTable(resumed)}`);
    }
  }

  get running(): boolean {
    return this.state !== null;
  }

  /**
   * Checks an operator's signal against the catalog and queues it for the next poll; throws
   * SnapshotRequestError with what is wrong (an unknown type, a table not captured, no key).
   */
  async accept(type: string, data: unknown): Promise<void> {
    const request = parseSnapshotRequest(type, data);
    if (request.action === 'execute') {
      if (!this.o.watermarks)
        throw new SnapshotRequestError(
          'incremental snapshots need signal.data.collection (a signal table) on PostgreSQL before 14',
        );
      for (const name of request.tables) await this.checkTable(name);
    }
    this.queued.push(request);
  }

  private async checkTable(name: string): Promise<void> {
    const { schema, table } = splitTableName(name);
    const found = await findTable(this.o.catalog(), schema, table);
    if (!found) throw new SnapshotRequestError(`table ${name} does not exist`);
    if (!this.o.captures(schema, table))
      throw new SnapshotRequestError(`${name} is not captured by this connector (see table.include.list)`);
    const description = await describeTable(this.o.catalog(), found, this.o.keyColumns);
    if (description.primaryKey.length === 0)
      throw new SnapshotRequestError(`${name} has no primary key: incremental snapshots read by primary key`);
  }

  /** Applies queued requests, then reads the next chunk unless one is waiting for its watermarks. */
  async step(): Promise<void> {
    for (const request of this.queued.splice(0)) this.apply(request);
    while (this.state && !this.chunk && this.o.watermarks)
      await this.readChunk(this.state, this.o.watermarks);
  }

  private apply(request: SnapshotRequest): void {
    if (request.action === 'execute') {
      if (!this.o.watermarks) {
        this.o.warn(
          'incremental snapshot requested, but it needs signal.data.collection (a signal table) on PostgreSQL before 14; ignored',
        );
        return;
      }
      const tables = request.tables.filter((name) => {
        const { schema, table } = splitTableName(name);
        if (this.o.captures(schema, table)) return true;
        this.o.warn(`incremental snapshot: ${name} is not captured; ignored`);
        return false;
      });
      if (tables.length === 0) return;
      this.o.info(`incremental snapshot of ${tables.join(', ')} requested`);
      this.setState(withTables(this.state, tables));
      return;
    }
    if (!this.state) return;
    const next = withoutTables(this.state, request.tables);
    // a pending chunk is read again (if its table is still wanted); its watermarks then match nothing
    this.chunk = null;
    this.o.info(`incremental snapshot stopped for ${request.tables?.join(', ') ?? 'every table'}`);
    this.setState(next);
  }

  private async readChunk(state: IncrementalSnapshotState, watermarks: WatermarkWriter): Promise<void> {
    const client = this.o.catalog();
    const name = currentTable(state);
    const { schema, table } = splitTableName(name);
    const found = await findTable(client, schema, table);
    const description = found ? await describeTable(client, found, this.o.keyColumns) : null;
    if (!found || !description || description.primaryKey.length === 0) {
      this.o.warn(
        `incremental snapshot of ${name} skipped: ${found ? 'it has no primary key' : 'the table does not exist'}`,
      );
      this.setState(nextTable(state));
      return;
    }
    const names = description.descriptor.columns.map((c) => c.name);
    const reader = new KeyRangeReader(found, names, description.primaryKey);
    let current = state;
    if (!current.maxKey) {
      const maxKey = await reader.maxKey(client);
      if (!maxKey) {
        this.setState(nextTable(state));
        return;
      }
      const total =
        found.estimatedRows >= 0
          ? found.estimatedRows
          : Number(
              (
                await client.query<{ n: string }>(
                  `SELECT count(*) AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)}`,
                )
              ).rows[0]?.n ?? 0,
            );
      current = startedTable(state, maxKey, total);
      this.setState(current);
    }
    const chunkId = randomUUID();
    await watermarks.write(client, chunkId, 'open');
    const tuples = await reader.rows(client, current.lastKey, current.maxKey!, this.o.chunkSize);
    await watermarks.write(client, chunkId, 'close');
    const keyIndexes = description.primaryKey.map((k) => names.indexOf(k.name));
    const rows: ChunkRow[] = tuples.map((tuple, ordinal) => ({
      key: keyIndexes.map((i) => tuple[i] as string),
      tuple,
      ordinal,
    }));
    const last = rows[rows.length - 1];
    this.chunk = {
      window: new ChunkWindow(chunkId, name, rows),
      schema: this.schemaOf(name, description),
      lastKey: last?.key ?? null,
      read: rows.length,
      tableDone: rows.length < this.o.chunkSize || sameKey(last!.key, current.maxKey!),
    };
  }

  /** The table's schema, the same object while its columns stay the same (the JSON converter caches by it). */
  private schemaOf(name: string, description: TableDescription): TableSchema {
    const shape = JSON.stringify(description.descriptor);
    const known = this.schemas.get(name);
    if (known?.shape === shape) return known.schema;
    const schema = this.o.schemaFor(description);
    this.schemas.set(name, { shape, schema });
    return schema;
  }

  watches(table: string): boolean {
    const window = this.chunk?.window;
    return window !== undefined && window.isOpen && window.table === table;
  }

  changed(table: string, key: readonly string[] | null): void {
    if (this.watches(table)) this.chunk!.window.changed(key);
  }

  signal(row: ReplicationSignalRow, at: Readonly<Record<string, unknown>>): readonly SourceRecord[] {
    if (isWatermarkSignal(row.type)) {
      const watermark = watermarkOfSignal(row);
      return watermark ? this.watermark(watermark, at) : [];
    }
    try {
      this.apply(parseSnapshotRequest(row.type, row.data));
    } catch (err) {
      if (!(err instanceof SnapshotRequestError)) throw err;
      this.o.warn(`ignoring signal ${row.id}: ${err.message}`);
    }
    return [];
  }

  message(prefix: string, content: Buffer, at: Readonly<Record<string, unknown>>): readonly SourceRecord[] {
    const watermark = watermarkOfMessage(prefix, content);
    return watermark ? this.watermark(watermark, at) : [];
  }

  offsetFields(): Readonly<Record<string, unknown>> | null {
    return this.fields;
  }

  private watermark(watermark: Watermark, at: Readonly<Record<string, unknown>>): readonly SourceRecord[] {
    const chunk = this.chunk;
    // watermarks of chunks before a restart, a reconnect or a stop match nothing
    if (!chunk || chunk.window.chunkId !== watermark.chunkId) return [];
    if (watermark.kind === 'open') {
      chunk.window.open();
      return [];
    }
    this.chunk = null;
    if (!chunk.window.isOpen) {
      this.o.warn('incremental snapshot: a chunk closed before it opened; reading it again');
      return [];
    }
    // requests since the read only appended tables (a stop drops the pending chunk)
    const before = this.state!;
    const progressed = chunk.lastKey ? afterRows(before, chunk.lastKey, chunk.read) : before;
    const after = chunk.tableDone ? nextTable(progressed) : progressed;
    const rows = chunk.window.remaining();
    const records = rows.map((row, i) => {
      const state = i === rows.length - 1 ? after : afterRows(before, row.key, row.ordinal + 1);
      const offset = state ? { ...at, incremental: state } : { ...at };
      return this.o.builder.change(
        chunk.schema,
        'r',
        chunk.schema.key(row.tuple),
        null,
        chunk.schema.image(row.tuple, 'full'),
        { tsMs: Date.now(), snapshot: 'incremental', txId: null, lsn: null, sequence: null },
        offset,
      );
    });
    this.setState(after);
    return records;
  }

  private setState(state: IncrementalSnapshotState | null): void {
    const was = this.state;
    this.state = state;
    this.fields = state ? { incremental: state } : null;
    if (!state) {
      if (was) {
        this.o.info('incremental snapshot done');
        this.o.reporter?.progress(null);
      }
      return;
    }
    this.o.reporter?.progress({
      phase: 'incremental-snapshot',
      items: state.tables.map((name, i) => ({
        name,
        done: state.rows[i] ?? 0,
        total: state.totals[i] ?? null,
      })),
    });
  }
}

function sameKey(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
