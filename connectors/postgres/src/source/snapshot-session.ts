import type { SourceRecord } from '@sluice/connect-api';
import type pg from 'pg';
import {
  describeTable,
  listCapturedTables,
  type CatalogTable,
  type TableDescription,
} from './catalog-reader.js';
import type { ChangeEventBuilder, EventOrigin } from './change-event-builder.js';
import { lsnToOffset } from './lsn.js';
import type { TupleValue } from './pgoutput-message.js';
import {
  closeClient,
  connectClient,
  quoteIdent,
  quoteLiteral,
  type ConnectionSettings,
} from './pg-session.js';
import { TableSnapshotReader } from './snapshot-reader.js';
import type { SnapshotState, StreamPosition, TableProgress } from './source-offset.js';
import type { MessageKeyColumns, TableFilter } from './table-filter.js';
import type { RowImage, TableSchema } from './table-schema.js';

/** Where a snapshot pass begins: a table index and the key after which to read it (null: from its start). */
export interface SnapshotStart {
  readonly table: number;
  readonly key: readonly string[] | null;
  /** Rows of that table emitted before (by an earlier pass). */
  readonly rows: number;
}

export interface SnapshotSessionOptions {
  readonly connection: ConnectionSettings;
  /** The exported snapshot to read in (from CREATE_REPLICATION_SLOT ... EXPORT_SNAPSHOT). */
  readonly snapshotName: string;
  /** The shared state with this pass appended (tables empty: list them now). */
  readonly state: SnapshotState;
  readonly start: SnapshotStart;
  /** The stream position every snapshot record carries, so streaming resumes from it afterwards. */
  readonly stream: StreamPosition;
  readonly filter: TableFilter;
  readonly keyColumns: MessageKeyColumns;
  /** Rows read per query. */
  readonly chunkSize: number;
  /** Most records one next() returns. */
  readonly batchSize: number;
  readonly builder: ChangeEventBuilder;
  readonly schemaFor: (description: TableDescription) => TableSchema;
  readonly warn: (message: string) => void;
}

/** A row read, not yet handed out: its record is built once it is known whether it is the snapshot's last. */
interface HeldRow {
  readonly schema: TableSchema;
  readonly key: Record<string, unknown> | null;
  readonly after: RowImage;
  /** Table index, key texts and rows of the table up to this one: where a resumed pass continues. */
  readonly table: number;
  readonly keyTexts: readonly string[] | null;
  readonly rows: number;
}

/**
 * One snapshot pass: reads the captured tables, from `start` on, inside an exported snapshot on a
 * connection of its own (REPEATABLE READ, SET TRANSACTION SNAPSHOT), chunk by chunk, as op=r
 * events. Each record's offset says where the pass got (table, key, rows), so a crash resumes
 * after it; the last record carries the finished state (done) and source.snapshot=last. It
 * holds one record back to know which one is last.
 */
export class SnapshotSession {
  private tableIndex: number;
  private reader: TableSnapshotReader | null = null;
  private schema: TableSchema | null = null;
  private pkIndexes: number[] = [];
  private rows: number;
  private held: HeldRow | null = null;
  /** The chunk read last, made records up to fetchedAt. */
  private fetched: TupleValue[][] = [];
  private fetchedAt = 0;
  /** The key texts of the last row read: where the reader's next chunk starts. */
  private fetchKey: readonly string[] | null;
  /** The shared state as records of table `table` carry it (the same object for all of them). */
  private stateOf: { table: number; state: SnapshotState } | null = null;
  private readonly streamCommit: string;
  private readonly origin: EventOrigin;
  private readonly lastOrigin: EventOrigin;
  private finished = false;
  private readonly tsMs = Date.now();
  private tables: string[];
  private totals: number[];
  private counts: number[];
  private catalog = new Map<string, CatalogTable>();

  private constructor(
    private readonly client: pg.Client,
    private readonly o: SnapshotSessionOptions,
  ) {
    this.tableIndex = o.start.table;
    this.rows = o.start.rows;
    this.fetchKey = o.start.key;
    this.tables = [...o.state.tables];
    this.totals = [...o.state.totals];
    this.counts = [...o.state.counts];
    this.streamCommit = lsnToOffset(o.stream.commitLsn);
    this.origin = { tsMs: this.tsMs, snapshot: 'true', txId: null, lsn: null, sequence: null };
    this.lastOrigin = { ...this.origin, snapshot: 'last' };
  }

  static async open(o: SnapshotSessionOptions): Promise<SnapshotSession> {
    const client = await connectClient(o.connection, { applicationName: 'sluice-postgres-snapshot' });
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(o.snapshotName)}`);
      const session = new SnapshotSession(client, o);
      await session.loadTables();
      return session;
    } catch (err) {
      await closeClient(client);
      throw err;
    }
  }

  /** The state as of the last record handed out (for progress). */
  get state(): SnapshotState {
    return {
      ...this.o.state,
      done: this.finished,
      tables: this.tables,
      totals: this.totals,
      counts: this.counts,
    };
  }

  progress(): TableProgress[] {
    return this.tables.map((table, i) => {
      const total = Math.max(0, Math.round(this.totals[i] ?? 0));
      if (this.finished || i < this.tableIndex) {
        const done = this.counts[i] ?? 0;
        return { table, rowsDone: done, rowsTotal: done, state: 'done' };
      }
      if (i === this.tableIndex)
        return { table, rowsDone: this.rows, rowsTotal: Math.max(total, this.rows), state: 'running' };
      return { table, rowsDone: 0, rowsTotal: total, state: 'pending' };
    });
  }

  get done(): boolean {
    return this.finished;
  }

  /**
   * The next records, at most batchSize (at least one unless the pass is over, then an empty
   * array). Rows are read a chunk at a time but made records a batch at a time: records a poll
   * returns live until they are durable, and a chunk's worth at once outlived the task thread's
   * nursery, so every scavenge copied them.
   */
  async next(): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    while (!this.finished && out.length === 0) {
      if (this.fetchedAt === this.fetched.length) {
        if (this.reader?.done) this.endTable();
        if (!this.reader && !(await this.openTable())) {
          this.finished = true;
          if (this.held) out.push(this.record(this.held, true));
          this.held = null;
          await this.close();
          break;
        }
        this.fetched = await this.reader!.next(this.fetchKey);
        this.fetchedAt = 0;
        const last = this.fetched[this.fetched.length - 1];
        if (last && this.pkIndexes.length > 0) this.fetchKey = this.pkIndexes.map((i) => last[i] as string);
        continue;
      }
      const end = Math.min(this.fetched.length, this.fetchedAt + this.o.batchSize);
      for (; this.fetchedAt < end; this.fetchedAt++) {
        if (this.held) out.push(this.record(this.held, false));
        this.held = this.pending(this.fetched[this.fetchedAt]!);
      }
    }
    return out;
  }

  /** The current table's rows are all held or handed out: the next one is read from its start. */
  private endTable(): void {
    this.counts[this.tableIndex] = this.rows;
    this.reader = null;
    this.schema = null;
    this.tableIndex++;
    this.rows = 0;
    this.fetchKey = null;
  }

  async close(): Promise<void> {
    await this.client.query('COMMIT').catch(() => undefined);
    await closeClient(this.client);
  }

  private pending(tuple: TupleValue[]): HeldRow {
    const schema = this.schema!;
    this.rows++;
    const keyTexts = this.pkIndexes.length > 0 ? this.pkIndexes.map((i) => tuple[i] as string) : null;
    return {
      schema,
      key: schema.key(tuple),
      after: schema.image(tuple, 'full'),
      table: this.tableIndex,
      keyTexts,
      rows: this.rows,
    };
  }

  private record(row: HeldRow, last: boolean): SourceRecord {
    const offset = last
      ? {
          lsn_commit: this.streamCommit,
          event: this.o.stream.event,
          snapshot: { ...this.state, done: true },
        }
      : {
          lsn_commit: this.streamCommit,
          event: this.o.stream.event,
          snapshot: this.stateUpTo(row.table),
          snapshot_table: row.table,
          snapshot_key: row.keyTexts,
          snapshot_rows: row.rows,
        };
    return this.o.builder.change(
      row.schema,
      'r',
      row.key,
      null,
      row.after,
      last ? this.lastOrigin : this.origin,
      offset,
    );
  }

  /**
   * The shared state with counts of the tables before `table` only (those are complete, so the
   * object stays valid for every record of the table and is built once).
   */
  private stateUpTo(table: number): SnapshotState {
    if (this.stateOf?.table === table) return this.stateOf.state;
    const state: SnapshotState = {
      ...this.o.state,
      done: false,
      tables: this.tables,
      totals: this.totals,
      counts: this.counts.slice(0, table),
    };
    this.stateOf = { table, state };
    return state;
  }

  private async loadTables(): Promise<void> {
    const listed = await listCapturedTables(this.client, this.o.filter);
    this.catalog = new Map(listed.map((t) => [`${t.schema}.${t.table}`, t]));
    if (this.tables.length === 0) {
      this.tables = listed.map((t) => `${t.schema}.${t.table}`);
      this.totals = [];
      for (const t of listed) this.totals.push(await this.estimate(t));
    }
  }

  /** The planner's estimate; an exact count for tables never analyzed (new, usually small ones). */
  private async estimate(t: CatalogTable): Promise<number> {
    if (t.estimatedRows >= 0) return t.estimatedRows;
    const { rows } = await this.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)}`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Opens the reader of the current table (skipping tables gone since); false when none is left. */
  private async openTable(): Promise<boolean> {
    while (this.tableIndex < this.tables.length) {
      const name = this.tables[this.tableIndex]!;
      const table = this.catalog.get(name);
      if (table) {
        const description = await describeTable(this.client, table, this.o.keyColumns);
        this.schema = this.o.schemaFor(description);
        const names = description.descriptor.columns.map((c) => c.name);
        this.pkIndexes = description.primaryKey.map((k) => names.indexOf(k.name));
        if (description.primaryKey.length === 0 && this.fetchKey === null && this.rows > 0)
          this.o.warn(
            `${name} has no primary key: its snapshot starts over, so its first ${this.rows} rows repeat`,
          );
        if (description.primaryKey.length === 0) this.rows = 0;
        this.reader = new TableSnapshotReader(
          this.client,
          table,
          names,
          description.primaryKey,
          this.o.chunkSize,
        );
        return true;
      }
      this.o.warn(`${name} is no longer captured (dropped or filtered out): its snapshot is skipped`);
      this.counts[this.tableIndex] = 0;
      this.tableIndex++;
      this.fetchKey = null;
      this.rows = 0;
    }
    return false;
  }
}
