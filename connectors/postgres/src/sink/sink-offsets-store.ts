import type { TopicPartition } from '@sluice/connect-api';
import type pg from 'pg';
import { quoteTable, type TableName } from './sql-identifier.js';

export interface StoredOffset {
  topic: string;
  partition: number;
  /** The next offset to consume: everything before it is in the target. */
  offset: number;
}

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
  constructor(
    private readonly name: TableName,
    private readonly connector: string,
  ) {}

  private table(currentSchema: string): string {
    return quoteTable({ schema: this.name.schema ?? currentSchema, table: this.name.table });
  }

  async ensure(client: pg.Client, currentSchema: string): Promise<void> {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${this.table(currentSchema)} (connector text NOT NULL, topic text NOT NULL, "partition" integer NOT NULL, next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (connector, topic, "partition"))`,
    );
  }

  async read(
    client: pg.Client,
    currentSchema: string,
    partitions: readonly TopicPartition[],
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (partitions.length === 0) return out;
    const res = await client.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT o.topic, o."partition", o.next_offset FROM ${this.table(currentSchema)} o JOIN unnest($2::text[], $3::int[]) AS p(topic, "partition") ON o.topic = p.topic AND o."partition" = p."partition" WHERE o.connector = $1`,
      [this.connector, partitions.map((p) => p.topic), partitions.map((p) => p.partition)],
    );
    for (const r of res.rows) out.set(partitionKey(r.topic, r.partition), Number(r.next_offset));
    return out;
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

  /** Inside the batch's transaction. */
  async write(client: pg.Client, currentSchema: string, offsets: readonly StoredOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await client.query(
      `INSERT INTO ${this.table(currentSchema)} AS o (connector, topic, "partition", next_offset) SELECT $1, t, p, n FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, n) ON CONFLICT (connector, topic, "partition") DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
      [
        this.connector,
        offsets.map((o) => o.topic),
        offsets.map((o) => o.partition),
        offsets.map((o) => String(o.offset)),
      ],
    );
  }
}
