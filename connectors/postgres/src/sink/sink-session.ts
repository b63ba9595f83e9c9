import pg from 'pg';
import { type ConnectionSettings, pgClientConfig } from './connection-settings.js';
import { createStageSql } from './sink-statements.js';
import { quoteIdent } from './sql-identifier.js';

/** A temporary staging table of one column-type list (see sink-statements.ts). */
export interface StageTable {
  /** pg_temp."__sluice_stage_N" */
  readonly sql: string;
  /** Holds rows of the current transaction: empty it before the next COPY into it. */
  dirty: boolean;
}

/**
 * One connection of a sink task and what lives only as long as it does: the current schema and
 * the staging tables (temporary, so a new connection after a failure starts without them). An
 * 'error' event (the server went away while idle) only marks the session broken: node-postgres
 * would otherwise throw it as an unhandled error; the next statement fails and the task reconnects.
 */
export class SinkSession {
  private readonly stages = new Map<string, StageTable>();
  private broken: Error | null = null;

  private constructor(
    readonly client: pg.Client,
    /** Where unqualified tables live (current_schema(), public when the search_path has none). */
    readonly currentSchema: string,
  ) {}

  static async open(settings: ConnectionSettings, connectTimeoutMs?: number): Promise<SinkSession> {
    const mode = settings.target.sslMode;
    if (mode !== 'prefer' && mode !== 'allow') return SinkSession.connect(settings, connectTimeoutMs);
    // as libpq does: prefer tries TLS, then without it if the server has none; allow tries
    // without, then TLS if the server requires it
    try {
      return await SinkSession.connect(settings, connectTimeoutMs, mode === 'prefer');
    } catch (err) {
      const text = (err as Error).message ?? '';
      const retry =
        mode === 'prefer'
          ? /does not support SSL/i.test(text)
          : /SSL off|requires SSL|encryption/i.test(text);
      if (!retry) throw err;
      return SinkSession.connect(settings, connectTimeoutMs, mode !== 'prefer');
    }
  }

  private static async connect(
    settings: ConnectionSettings,
    connectTimeoutMs?: number,
    tls?: boolean,
  ): Promise<SinkSession> {
    const client = new pg.Client(pgClientConfig(settings, connectTimeoutMs, tls));
    let early: Error | null = null;
    const onEarlyError = (err: Error): void => void (early ??= err);
    client.on('error', onEarlyError);
    try {
      await client.connect();
      const res = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
      const session = new SinkSession(client, res.rows[0]?.schema ?? 'public');
      client.off('error', onEarlyError);
      client.on('error', (err: Error) => void (session.broken ??= err));
      if (early) session.broken = early;
      return session;
    } catch (err) {
      client.off('error', onEarlyError);
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** The connection failed while idle (or a statement failed in a way that leaves it unusable). */
  get failure(): Error | null {
    return this.broken;
  }

  markBroken(err: Error): void {
    this.broken ??= err;
  }

  /** The staging table for this list of column types, created (outside any transaction) if new. */
  async stage(types: readonly string[]): Promise<StageTable> {
    const key = types.join('\u0000');
    let stage = this.stages.get(key);
    if (stage) return stage;
    const name = `pg_temp.${quoteIdent(`__sluice_stage_${this.stages.size + 1}`)}`;
    await this.client.query(createStageSql(name, types));
    stage = { sql: name, dirty: false };
    this.stages.set(key, stage);
    return stage;
  }

  /** After COMMIT (ON COMMIT DELETE ROWS emptied them) or ROLLBACK (their rows were undone). */
  stagesEmptied(): void {
    for (const stage of this.stages.values()) stage.dirty = false;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
