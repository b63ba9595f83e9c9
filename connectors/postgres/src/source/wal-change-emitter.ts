import type { SourceRecord } from '@sluice/connect-api';
import type pg from 'pg';
import { describeRelation } from './catalog-reader.js';
import type { ChangeEventBuilder, EnvelopeOp, EventOrigin } from './change-event-builder.js';
import type { DurablePosition } from './durable-position.js';
import { lsnToInt64, lsnToOffset, type Lsn } from './lsn.js';
import type {
  BeginMessage,
  DeleteMessage,
  InsertMessage,
  RelationMessage,
  TupleValue,
  UpdateMessage,
} from './pgoutput-message.js';
import type { PgTypeRegistry } from './pg-type-registry.js';
import type { SnapshotPassFilter } from './snapshot-pass-filter.js';
import type { SnapshotState, StreamPosition } from './source-offset.js';
import type { StreamObserver } from './stream-observer.js';
import type { MessageKeyColumns, TableFilter } from './table-filter.js';
import {
  RequiredNullError,
  type ColumnDescriptor,
  type RowImage,
  type TableDescriptor,
  type TableSchema,
} from './table-schema.js';
import type { WalMessage } from './replication-stream.js';

export interface WalChangeEmitterOptions {
  /** The normal connection for catalog lookups (relation details) as it is now (it is replaced after a reconnect). */
  readonly catalog: () => pg.Client;
  readonly types: PgTypeRegistry;
  readonly filter: TableFilter;
  readonly keyColumns: MessageKeyColumns;
  readonly builder: ChangeEventBuilder;
  readonly durable: DurablePosition;
  readonly schemaFor: (descriptor: TableDescriptor) => TableSchema;
  /** The committed position: records up to it were delivered before and are skipped. */
  readonly resume: StreamPosition | null;
  /** Set while streaming changes some snapshot pass may already hold. */
  readonly passFilter: SnapshotPassFilter | null;
  readonly snapshotState: SnapshotState | null;
  readonly tombstones: boolean;
  readonly skipped: ReadonlySet<EnvelopeOp>;
  /** "<schema>.<table>" of signal.data.collection, or null. */
  readonly signalTable: string | null;
  /** Sees signals, watermarks and changes in stream order (the incremental snapshot), or null. */
  readonly observer: StreamObserver | null;
  readonly warn: (message: string) => void;
}

interface Transaction {
  readonly xid: number;
  readonly commitLsn: Lsn;
  readonly commitLsnText: string;
  readonly tsMs: number;
  readonly tsUsec: number;
  /** Records of this transaction so far, the skipped ones included. */
  event: number;
  /** Records to skip: delivered before a restart. */
  readonly skip: number;
  /** The whole transaction was delivered before. */
  readonly skipAll: boolean;
  readonly filtered: boolean;
}

/** A captured relation: its schema, or null when the table is not captured. */
interface Relation {
  readonly name: string;
  schema: TableSchema | null;
  readonly signal: boolean;
  /** Primary key positions in the relation's columns, for the snapshot pass filter. */
  readonly pkIndexes: readonly number[];
}

const PK_NAMES = `
  SELECT a.attname AS name FROM pg_index i
  JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
  WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`;

/**
 * Turns decoded pgoutput messages into Debezium change events, transaction by transaction.
 *
 * Positions: every record's offset is {lsn_commit, event}: the commit LSN of its transaction and
 * how many records of it are out with this one. After a restart the stream replays from the
 * committed lsn_commit; that transaction's first `event` records are skipped, earlier ones
 * entirely, so nothing durable repeats and nothing is lost. A transaction's end LSN is handed to
 * DurablePosition at its commit, so the slot moves past it only once its last record is durable.
 *
 * Relation messages (sent before a table's first change in a session and after every change of
 * its columns) rebuild the table's schema, so added, dropped, renamed and retyped columns show
 * in the next event without a restart.
 */
export class WalChangeEmitter {
  private readonly relations = new Map<number, Relation>();
  private tx: Transaction | null = null;
  /** Commit time of the last transaction seen (ms), for lag. */
  lastCommitTimeMs = 0;
  /** End of the last transaction seen. */
  lastCommitEnd: Lsn = 0n;
  private lastCommitLsnText = '0';
  /** After the last record emitted (or transaction finished): where a reconnect resumes. */
  private current: StreamPosition;

  constructor(private readonly o: WalChangeEmitterOptions) {
    this.current = o.resume ?? { commitLsn: 0n, event: 0 };
    // the stream starts there: lag is measured from it until the first commit
    this.lastCommitEnd = this.current.commitLsn;
    // and source.sequence goes on from it, not from "0", after a reconnect or a restart
    if (o.resume) this.lastCommitLsnText = lsnToOffset(o.resume.commitLsn);
  }

  /** Everything before this position was emitted: a new stream resumes here. */
  position(): StreamPosition {
    return this.current;
  }

  /** Moves the position on without a transaction (a heartbeat at the server's WAL end). */
  resumeAt(position: StreamPosition): void {
    if (position.commitLsn > this.current.commitLsn) this.current = position;
  }

  /** Inside a transaction whose commit has not arrived yet. */
  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** Appends the records of `messages` to `out`. */
  async process(messages: readonly WalMessage[], out: SourceRecord[]): Promise<void> {
    for (const { lsn, message } of messages) {
      switch (message.tag) {
        case 'begin':
          this.begin(message);
          break;
        case 'commit':
          if (this.tx && !this.tx.skipAll)
            this.current = { commitLsn: this.tx.commitLsn, event: this.tx.event };
          this.tx = null;
          this.lastCommitTimeMs = message.commitTimeMs;
          this.lastCommitEnd = message.endLsn;
          this.lastCommitLsnText = lsnToOffset(message.commitLsn);
          this.o.durable.complete(message.endLsn);
          break;
        case 'relation':
          await this.relation(message);
          break;
        case 'type':
          await this.o.types.ensure([message.typeOid], [message.typeOid]);
          break;
        // a change awaits only while a snapshot pass filter applies: an await per change (its
        // promise and async frame) was a tenth of what streaming allocated
        case 'insert': {
          const filtering = this.insert(message, lsn, out);
          if (filtering) await filtering;
          break;
        }
        case 'update': {
          const filtering = this.update(message, lsn, out);
          if (filtering) await filtering;
          break;
        }
        case 'delete': {
          const filtering = this.delete(message, lsn, out);
          if (filtering) await filtering;
          break;
        }
        case 'truncate':
          this.truncate(message.relationOids, lsn, out);
          break;
        case 'message':
          if (message.transactional) this.message(message.prefix, message.content, lsn, out);
          break;
        case 'origin':
          break;
      }
    }
  }

  private begin(m: BeginMessage): void {
    const resume = this.o.resume;
    this.tx = {
      xid: m.xid,
      commitLsn: m.finalLsn,
      commitLsnText: lsnToOffset(m.finalLsn),
      tsMs: m.commitTimeMs,
      tsUsec: Number(m.commitTimeUs),
      event: 0,
      skip: resume && resume.commitLsn === m.finalLsn ? resume.event : 0,
      skipAll: resume !== null && m.finalLsn < resume.commitLsn,
      filtered: this.o.passFilter?.active(m.finalLsn) ?? false,
    };
  }

  private async relation(m: RelationMessage): Promise<void> {
    const name = `${m.schema}.${m.table}`;
    const signal = name === this.o.signalTable;
    if (!this.o.filter.captures(m.schema, m.table)) {
      this.relations.set(m.relationOid, { name, schema: null, signal, pkIndexes: [] });
      return;
    }
    await this.o.types.ensure(m.columns.map((c) => c.typeOid));
    const descriptor = await describeRelation(this.o.catalog(), m, this.o.keyColumns);
    const pkNames = (await this.o.catalog().query<{ name: string }>(PK_NAMES, [m.relationOid])).rows.map(
      (r) => r.name,
    );
    const names = m.columns.map((c) => c.name);
    const pkIndexes = pkNames.every((n) => names.includes(n)) ? pkNames.map((n) => names.indexOf(n)) : [];
    if (descriptor.keyColumns.length === 0)
      this.o.warn(
        `${name} has no primary key: its events have a null key (set message.key.columns to choose key columns)`,
      );
    const previous = this.relations.get(m.relationOid);
    // pgoutput sends a relation again after a reconnect or a publication change, not only after DDL
    if (previous?.schema && !sameColumns(previous.schema.descriptor.columns, descriptor.columns))
      this.o.warn(`${name} changed its columns: events use the new schema from here on`);
    this.relations.set(m.relationOid, { name, schema: this.o.schemaFor(descriptor), signal, pkIndexes });
  }

  private relationOf(oid: number): Relation {
    const r = this.relations.get(oid);
    // pgoutput always sends the relation before its first change in a session
    if (!r) throw new Error(`pgoutput sent a change of relation ${oid} before describing it`);
    return r;
  }

  /** Emits the change at once, or returns what emits it once the snapshot pass filter has decided. */
  private insert(m: InsertMessage, lsn: Lsn, out: SourceRecord[]): Promise<void> | undefined {
    const rel = this.relationOf(m.relationOid);
    if (rel.signal) this.signal(rel, m.newTuple, lsn, out);
    if (rel.schema) this.observe(rel, m.newTuple);
    if (!rel.schema || this.skipAll() || this.o.skipped.has('c')) return undefined;
    const deciding = this.snapshotPassDecision(rel, m.newTuple);
    if (!deciding) return this.emitInsert(rel, m, lsn, out);
    return deciding.then((emits) => (emits ? this.emitInsert(rel, m, lsn, out) : undefined));
  }

  private emitInsert(rel: Relation, m: InsertMessage, lsn: Lsn, out: SourceRecord[]): undefined {
    const after = this.image(rel, m.newTuple, 'full');
    this.push(out, rel.schema!, 'c', rel.schema!.key(m.newTuple), null, after, lsn);
    return undefined;
  }

  private update(m: UpdateMessage, lsn: Lsn, out: SourceRecord[]): Promise<void> | undefined {
    const rel = this.relationOf(m.relationOid);
    if (!rel.schema) return undefined;
    const old = m.oldTuple;
    this.observe(rel, m.newTuple);
    if (old) this.observe(rel, old);
    if (this.skipAll()) return undefined;
    const deciding = this.snapshotPassDecision(rel, m.newTuple);
    if (!deciding) return this.emitUpdate(rel, m, lsn, out, true, true);
    // a changed key is two rows: the old one's delete is decided by the old key, which an
    // earlier pass may have read when a later one has the new
    const decidingOld = old ? this.snapshotPassDecision(rel, old) : null;
    return Promise.all([decidingOld ?? deciding, deciding]).then(([oldEmits, newEmits]) =>
      oldEmits || newEmits ? this.emitUpdate(rel, m, lsn, out, oldEmits, newEmits) : undefined,
    );
  }

  /** `oldEmits` and `newEmits`: whether no snapshot pass holds the old row's and the new row's change. */
  private emitUpdate(
    rel: Relation,
    m: UpdateMessage,
    lsn: Lsn,
    out: SourceRecord[],
    oldEmits: boolean,
    newEmits: boolean,
  ): undefined {
    const old = m.oldTuple;
    const schema = (): TableSchema => rel.schema!;
    const before = old === null ? null : this.image(rel, old, m.oldKind === 'O' ? 'full' : 'key-only');
    const after = this.image(rel, m.newTuple, 'full', m.oldKind === 'O' ? old : null);
    const keyChanged =
      old !== null &&
      schema().keySchema !== null &&
      (m.oldKind === 'K' || !sameTexts(schema().keyTexts(old), schema().keyTexts(m.newTuple)));
    if (keyChanged) {
      // as Debezium: the row under its old key is gone, a row under the new key appeared
      if (oldEmits && !this.o.skipped.has('d')) {
        const deleted = this.push(out, schema(), 'd', schema().key(old), before, null, lsn);
        if (deleted && this.o.tombstones) this.pushTombstone(out, deleted, lsn);
      }
      if (newEmits && !this.o.skipped.has('c'))
        this.push(out, schema(), 'c', schema().key(m.newTuple), null, after, lsn);
      return undefined;
    }
    if (newEmits && !this.o.skipped.has('u'))
      this.push(out, schema(), 'u', schema().key(m.newTuple), before, after, lsn);
    return undefined;
  }

  private delete(m: DeleteMessage, lsn: Lsn, out: SourceRecord[]): Promise<void> | undefined {
    const rel = this.relationOf(m.relationOid);
    if (rel.schema) this.observe(rel, m.oldTuple);
    if (!rel.schema || this.skipAll() || this.o.skipped.has('d')) return undefined;
    const deciding = this.snapshotPassDecision(rel, m.oldTuple);
    if (!deciding) return this.emitDelete(rel, m, lsn, out);
    return deciding.then((emits) => (emits ? this.emitDelete(rel, m, lsn, out) : undefined));
  }

  private emitDelete(rel: Relation, m: DeleteMessage, lsn: Lsn, out: SourceRecord[]): undefined {
    const before = this.image(rel, m.oldTuple, m.oldKind === 'O' ? 'full' : 'key-only');
    const deleted = this.push(out, rel.schema!, 'd', rel.schema!.key(m.oldTuple), before, null, lsn);
    if (deleted && this.o.tombstones) this.pushTombstone(out, deleted, lsn);
    return undefined;
  }

  private truncate(oids: readonly number[], lsn: Lsn, out: SourceRecord[]): void {
    for (const oid of oids) {
      const rel = this.relations.get(oid);
      if (rel?.schema) this.o.observer?.changed(rel.name, null);
    }
    if (this.skipAll()) return;
    if (this.o.skipped.has('t')) {
      const captured = oids.flatMap((oid) => this.relations.get(oid)?.schema?.id ?? []);
      if (captured.length > 0 && this.fresh())
        this.o.warn(
          `TRUNCATE of ${captured.join(', ')} not sent on: skipped.operations includes t (the default, as Debezium's); set it to none to emit truncate events`,
        );
      return;
    }
    for (const oid of oids) {
      const rel = this.relations.get(oid);
      if (rel?.schema) this.push(out, rel.schema, 't', null, null, null, lsn);
    }
  }

  /** A change of a captured row, for the observer (skipped and filtered changes included: the row changed). */
  private observe(rel: Relation, tuple: readonly TupleValue[]): void {
    const observer = this.o.observer;
    if (!observer?.watches(rel.name)) return;
    const key = rel.pkIndexes.length > 0 ? rel.pkIndexes.map((i) => tuple[i]) : null;
    observer.changed(rel.name, key?.every((v): v is string => typeof v === 'string') ? key : null);
  }

  /** Whether a signal or message here is seen for the first time (not replayed after a restart). */
  private fresh(): boolean {
    return this.tx !== null && !this.tx.skipAll && this.tx.event >= this.tx.skip;
  }

  private signal(rel: Relation, tuple: readonly TupleValue[], lsn: Lsn, out: SourceRecord[]): void {
    // a signal applies once: not again when its transaction is replayed after a restart
    if (!this.o.observer || !this.fresh()) return;
    const [id, type, data] = tuple;
    if (typeof id !== 'string' || typeof type !== 'string') {
      this.o.warn(`ignoring a row of signal table ${rel.name} without id and type`);
      return;
    }
    const row = { id, type, data: typeof data === 'string' ? data : null };
    this.pushAll(out, this.o.observer.signal(row, this.offset(lsnToOffset(lsn), false)));
  }

  private message(prefix: string, content: Buffer, lsn: Lsn, out: SourceRecord[]): void {
    if (!this.o.observer || !this.fresh()) return;
    this.pushAll(out, this.o.observer.message(prefix, content, this.offset(lsnToOffset(lsn), false)));
  }

  /** Emits records made at this point of the transaction by someone else (they are not counted in it). */
  private pushAll(out: SourceRecord[], records: readonly SourceRecord[]): void {
    const tx = this.tx!;
    for (const record of records) {
      this.o.durable.emit(record);
      out.push(record);
    }
    if (records.length > 0) this.current = { commitLsn: tx.commitLsn, event: tx.event };
  }

  private skipAll(): boolean {
    return this.tx?.skipAll ?? false;
  }

  /**
   * Whether no snapshot pass already holds this change (see SnapshotPassFilter), or null when no
   * pass can hold it (the change is emitted without waiting).
   */
  private snapshotPassDecision(rel: Relation, tuple: readonly TupleValue[]): Promise<boolean> | null {
    const tx = this.tx;
    const filter = this.o.passFilter;
    if (!tx?.filtered || !filter) return null;
    const key = rel.pkIndexes.length > 0 ? rel.pkIndexes.map((i) => tuple[i]) : null;
    const texts = key && key.every((v): v is string => typeof v === 'string') ? key : null;
    return filter.emits(rel.name, texts, tx.commitLsn);
  }

  /** A row image; a null where the schema says NOT NULL (an older change) relaxes the schema. */
  private image(
    rel: Relation,
    tuple: readonly TupleValue[],
    kind: 'full' | 'key-only',
    fallback: readonly TupleValue[] | null = null,
  ): RowImage {
    for (;;) {
      try {
        return rel.schema!.image(tuple, kind, fallback);
      } catch (err) {
        if (!(err instanceof RequiredNullError)) throw err;
        rel.schema = rel.schema!.relaxed(err.column);
      }
    }
  }

  /**
   * The snapshot state an offset at `commitLsn` carries while the snapshot pass filter still
   * applies there: a restart from it must filter the same changes, or it emits again what a
   * pass already holds.
   */
  snapshotFieldsAt(commitLsn: Lsn): { snapshot?: SnapshotState } {
    const state = this.o.snapshotState;
    return state && this.o.passFilter?.active(commitLsn) ? { snapshot: state } : {};
  }

  private origin(lsn: Lsn, lsnText: string): EventOrigin {
    const tx = this.tx;
    return {
      tsMs: tx?.tsMs ?? Date.now(),
      snapshot: 'false',
      txId: tx?.xid ?? null,
      lsn: lsnToInt64(lsn),
      // decimal strings need no escaping: JSON.stringify([last commit, lsn]) without its cost per event
      sequence: `["${this.lastCommitLsnText}","${lsnText}"]`,
    };
  }

  private offset(lsnText: string, observed = true): Record<string, unknown> {
    const tx = this.tx!;
    const offset: Record<string, unknown> = {
      lsn_commit: tx.commitLsnText,
      event: tx.event,
      lsn: lsnText,
      txId: tx.xid,
      ts_usec: tx.tsUsec,
    };
    if (tx.filtered) Object.assign(offset, this.snapshotFieldsAt(tx.commitLsn));
    const fields = observed ? this.o.observer?.offsetFields() : null;
    if (fields) Object.assign(offset, fields);
    return offset;
  }

  /** Counts and emits a record (unless delivered before a restart); returns it either way. */
  private push(
    out: SourceRecord[],
    schema: TableSchema,
    op: EnvelopeOp,
    key: Record<string, unknown> | null,
    before: RowImage | null,
    after: RowImage | null,
    lsn: Lsn,
  ): SourceRecord | null {
    const tx = this.tx;
    if (!tx) return null;
    tx.event++;
    const lsnText = lsnToOffset(lsn);
    const record = this.o.builder.change(
      schema,
      op,
      key,
      before,
      after,
      this.origin(lsn, lsnText),
      this.offset(lsnText),
    );
    if (tx.event > tx.skip) {
      this.o.durable.emit(record);
      out.push(record);
      this.current = { commitLsn: tx.commitLsn, event: tx.event };
    }
    return record;
  }

  private pushTombstone(out: SourceRecord[], of: SourceRecord, lsn: Lsn): void {
    const tx = this.tx!;
    tx.event++;
    const record = this.o.builder.tombstone(of, this.offset(lsnToOffset(lsn)));
    if (tx.event > tx.skip) {
      this.o.durable.emit(record);
      out.push(record);
      this.current = { commitLsn: tx.commitLsn, event: tx.event };
    }
  }
}

function sameTexts(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameColumns(a: readonly ColumnDescriptor[], b: readonly ColumnDescriptor[]): boolean {
  return (
    a.length === b.length &&
    a.every((c, i) => {
      const d = b[i]!;
      return (
        c.name === d.name &&
        c.typeOid === d.typeOid &&
        c.typeMod === d.typeMod &&
        c.optional === d.optional &&
        c.dims === d.dims
      );
    })
  );
}
