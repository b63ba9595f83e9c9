import pg from 'pg';
import { type ConnectionSettings, pgClientConfig } from './connection-settings.js';
import { describeHost, type HostPort, type TargetSessionAttrs } from './connection-url.js';
import { describePgError } from './pg-error-kind.js';
import { createStageSql } from './sink-statements.js';
import { quoteIdent } from './sql-identifier.js';

/**
 * A host that answers but gives the wrong kind of session: read_only_sql_transaction, which the
 * sink retries (a failover promotes a standby, or the old primary is still read-only).
 */
function notWanted(message: string): Error {
  return Object.assign(new Error(message), { code: '25006' });
}

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

  /**
   * A session on the first host, in the target's order, that answers and gives the session
   * target_session_attrs asks for, as libpq does. When none does, an AggregateError of each
   * host's failure (transient, for the task's retries, when each of them is).
   */
  static async open(settings: ConnectionSettings, connectTimeoutMs?: number): Promise<SinkSession> {
    const { hosts, targetSessionAttrs } = settings.target;
    // pgjdbc's preferPrimary: a read-write session on any host, else whatever answers
    if (targetSessionAttrs === 'prefer-read-write') {
      const want = (attrs: TargetSessionAttrs): ConnectionSettings => ({
        ...settings,
        target: { ...settings.target, targetSessionAttrs: attrs },
      });
      return SinkSession.open(want('read-write'), connectTimeoutMs).catch(() =>
        SinkSession.open(want('any'), connectTimeoutMs),
      );
    }
    if (hosts.length === 1) return SinkSession.openHost(settings, hosts[0]!, connectTimeoutMs);
    const failures: Error[] = [];
    for (const host of hosts) {
      try {
        return await SinkSession.openHost(settings, host, connectTimeoutMs);
      } catch (err) {
        failures.push(err as Error);
      }
    }
    const each = hosts.map((h, i) => `${describeHost(h)}: ${describePgError(failures[i])}`);
    throw new AggregateError(failures, `no host of connection.url gave a session (${each.join('; ')})`);
  }

  private static async openHost(
    settings: ConnectionSettings,
    host: HostPort,
    connectTimeoutMs?: number,
  ): Promise<SinkSession> {
    const mode = settings.target.sslMode;
    if (mode !== 'prefer' && mode !== 'allow') return SinkSession.connect(settings, host, connectTimeoutMs);
    // as libpq does: prefer tries TLS, then without it if the server has none; allow tries
    // without, then TLS if the server requires it
    try {
      return await SinkSession.connect(settings, host, connectTimeoutMs, mode === 'prefer');
    } catch (err) {
      const text = (err as Error).message ?? '';
      const retry =
        mode === 'prefer'
          ? /does not support SSL/i.test(text)
          : /SSL off|requires SSL|encryption/i.test(text);
      if (!retry) throw err;
      return SinkSession.connect(settings, host, connectTimeoutMs, mode !== 'prefer');
    }
  }

  private static async connect(
    settings: ConnectionSettings,
    host: HostPort,
    connectTimeoutMs?: number,
    tls?: boolean,
  ): Promise<SinkSession> {
    const client = new pg.Client(pgClientConfig(settings, connectTimeoutMs, tls, host));
    let early: Error | null = null;
    const onEarlyError = (err: Error): void => void (early ??= err);
    client.on('error', onEarlyError);
    try {
      await client.connect();
      const wanted = settings.target.targetSessionAttrs;
      // asked only when needed: servers that speak the protocol without being PostgreSQL may lack these
      if (wanted !== 'any') {
        const { rows } = await client.query<{ standby: boolean; read_only: string }>(
          `SELECT pg_catalog.pg_is_in_recovery() AS standby,
                  pg_catalog.current_setting('transaction_read_only') AS read_only`,
        );
        if (wanted === 'read-write' && rows[0]?.read_only === 'on')
          throw notWanted(
            `${describeHost(host)} gives read-only sessions (a standby, or default_transaction_read_only is on) and target_session_attrs asks for read-write`,
          );
        if (wanted === 'primary' && rows[0]?.standby)
          throw notWanted(`${describeHost(host)} is a standby and target_session_attrs asks for primary`);
      }
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
