import type { TopicPartition } from '@sluice/connect-api';
import type pg from 'pg';
import { quoteTable, type TableName } from './sql-identifier.js';

/** unique_violation (the catalog's), duplicate_table, duplicate_column, duplicate_object. */
const CREATION_RACE_CODES = new Set(['23505', '42P07', '42701', '42710']);

export interface StoredOffset {
  topic: string;
  partition: number;
  /** The next offset to consume: everything before it is in the target. */
  offset: number;
}

/** An offset to store, with where the write that stores it starts in its partition (see write()). */
export type WrittenOffset = StoredOffset & { from?: number };

export function partitionKey(topic: string, partition: number): string {
  // topic names cannot hold a NUL
  return `${topic}\u0000${partition}`;
}

/**
 * exactly.once: the consumed positions live in a table of the target database, written in the
 * same transaction as the rows they cover, so rows and position commit or roll back together.
 * Rows are per connector (several connectors may share a target and a topic).
 */
export class SinkOffsetsStore {
  /**
   * Topic IDs (SinkTaskContext.topicId) of the topics being written: stored with their offsets,
   * so that offsets of a topic since deleted are not taken for the one created again.
   */
  private readonly topicIds = new Map<string, string>();

  constructor(
    private readonly name: TableName,
    private readonly connector: string,
  ) {}

  noteTopicId(topic: string, id: string | null): void {
    if (id === null) this.topicIds.delete(topic);
    else this.topicIds.set(topic, id);
  }

  private table(currentSchema: string): string {
    return quoteTable({ schema: this.name.schema ?? currentSchema, table: this.name.table });
  }

  async ensure(client: pg.Client, currentSchema: string): Promise<void> {
    try {
      await this.create(client, currentSchema);
    } catch (err) {
      // tasks starting together: IF NOT EXISTS does not stop two creations racing in the catalog,
      // and the loser gets a unique violation; the table is there now
      if (!CREATION_RACE_CODES.has((err as { code?: unknown }).code as string)) throw err;
      await this.create(client, currentSchema);
    }
  }

  /**
   * DDL only for what is missing: CREATE ... IF NOT EXISTS still needs CREATE on the schema and
   * ALTER ... IF NOT EXISTS owning the table (and its lock), which a role a DBA granted only
   * SELECT, INSERT and UPDATE on a table made for it does not have.
   */
  private async create(client: pg.Client, currentSchema: string): Promise<void> {
    const { rows } = await client.query<{ has_topic_id: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = c.oid AND attname = 'topic_id' AND NOT attisdropped) AS has_topic_id FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
      [this.name.schema ?? currentSchema, this.name.table],
    );
    if (rows[0]?.has_topic_id) return;
    if (rows.length > 0) {
      // tables made before offsets held topic IDs
      await client.query(`ALTER TABLE ${this.table(currentSchema)} ADD COLUMN IF NOT EXISTS topic_id text`);
      return;
    }
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${this.table(currentSchema)} (connector text NOT NULL, topic text NOT NULL, "partition" integer NOT NULL, next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), topic_id text, PRIMARY KEY (connector, topic, "partition"))`,
    );
  }

  async read(
    client: pg.Client,
    currentSchema: string,
    partitions: readonly TopicPartition[],
  ): Promise<{ offsets: Map<string, number>; stale: StoredOffset[] }> {
    const offsets = new Map<string, number>();
    const stale: StoredOffset[] = [];
    if (partitions.length === 0) return { offsets, stale };
    const res = await client.query<{
      topic: string;
      partition: number;
      next_offset: string;
      topic_id: string | null;
    }>(
      `SELECT o.topic, o."partition", o.next_offset, o.topic_id FROM ${this.table(currentSchema)} o JOIN unnest($2::text[], $3::int[]) AS p(topic, "partition") ON o.topic = p.topic AND o."partition" = p."partition" WHERE o.connector = $1`,
      [this.connector, partitions.map((p) => p.topic), partitions.map((p) => p.partition)],
    );
    for (const r of res.rows) {
      const offset = { topic: r.topic, partition: r.partition, offset: Number(r.next_offset) };
      const now = this.topicIds.get(r.topic);
      // no ID stored (an earlier version, an offset set over REST) or none known now: trusted
      if (r.topic_id !== null && now !== undefined && r.topic_id !== now) stale.push(offset);
      else offsets.set(partitionKey(r.topic, r.partition), offset.offset);
    }
    return { offsets, stale };
  }

  /**
   * Sets and removes offsets in one transaction (the offsets REST API, the connector stopped):
   * open() reads them, so without this a PATCH or DELETE of the offsets would be undone.
   */
  async alter(
    client: pg.Client,
    currentSchema: string,
    changes: readonly { topic: string; partition: number; offset: number | null }[],
  ): Promise<void> {
    const removed = changes.filter((c) => c.offset === null);
    await client.query('BEGIN');
    try {
      await this.write(
        client,
        currentSchema,
        changes.flatMap((c) => (c.offset === null ? [] : [{ ...c, offset: c.offset }])),
      );
      if (removed.length > 0)
        await client.query(
          `DELETE FROM ${this.table(currentSchema)} o USING unnest($2::text[], $3::int[]) AS p(topic, "partition") WHERE o.connector = $1 AND o.topic = p.topic AND o."partition" = p."partition"`,
          [this.connector, removed.map((c) => c.topic), removed.map((c) => c.partition)],
        );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * Inside the batch's transaction. With `from` (per offset: where the batch starts in its
   * partition) the write checks that the stored offset is not past it: where it is, another writer
   * got there first (a task that outlived its shutdown timeout, say), and the batch is refused with
   * a serialization failure, which rolls it back and is retried, reading the stored offsets first.
   * Without the check, the late writer would apply records already applied, and its offsets could
   * move back over newer rows.
   */
  async write(client: pg.Client, currentSchema: string, offsets: readonly WrittenOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    // a topic created again (another stored ID) starts over at offset 0; an offset without an ID
    // (set over REST, or stored by an earlier version) is checked like any other
    const { rows } = await client.query<{ n: number }>(
      `WITH x AS (SELECT * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::text[], $6::bigint[]) AS x(t, p, n, i, f)),
       w AS (INSERT INTO ${this.table(currentSchema)} AS o (connector, topic, "partition", next_offset, topic_id) SELECT $1, t, p, n, i FROM x
         ON CONFLICT (connector, topic, "partition") DO UPDATE SET next_offset = EXCLUDED.next_offset, topic_id = EXCLUDED.topic_id, updated_at = now()
         WHERE (o.topic_id IS NOT NULL AND EXCLUDED.topic_id IS NOT NULL AND o.topic_id <> EXCLUDED.topic_id) OR o.next_offset <= coalesce((SELECT x.f FROM x WHERE x.t = o.topic AND x.p = o."partition"), o.next_offset)
         RETURNING 1)
       SELECT count(*)::int AS n FROM w`,
      [
        this.connector,
        offsets.map((o) => o.topic),
        offsets.map((o) => o.partition),
        offsets.map((o) => String(o.offset)),
        offsets.map((o) => this.topicIds.get(o.topic) ?? null),
        offsets.map((o) => (o.from === undefined ? null : String(o.from))),
      ],
    );
    if (rows[0]!.n < offsets.length)
      throw Object.assign(
        new Error(
          `the offsets stored in ${this.table(currentSchema)} for connector ${this.connector} are already past this batch: another task wrote these partitions`,
        ),
        { code: '40001' },
      );
  }
}
