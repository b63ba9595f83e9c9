import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const SUPERUSER = 'postgres';
const PASSWORD = 'sluice-test';
const isRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the postgres user when we are root (postgres refuses root). */
async function pgRun(binary: string, args: string[]): Promise<string> {
  const cmd = path.join(BIN, binary);
  const { stdout } = isRoot
    ? await run('runuser', ['-u', 'postgres', '--', cmd, ...args], { cwd: os.tmpdir() })
    : await run(cmd, args, { cwd: os.tmpdir() });
  return stdout;
}

/**
 * A throwaway PostgreSQL 15 server for one test file: its own data directory, a free port on
 * 127.0.0.1, logical replication on, and no durability (the tests never crash it).
 */
export class PostgresServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  readonly host = '127.0.0.1';
  readonly user = SUPERUSER;
  readonly password = PASSWORD;

  static async start(settings: Record<string, string> = {}): Promise<PostgresServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pg-'));
    if (isRoot) await run('chown', ['postgres:postgres', dir]);
    const data = path.join(dir, 'data');
    const pwfile = path.join(dir, 'pw');
    fs.writeFileSync(pwfile, PASSWORD);
    if (isRoot) await run('chown', ['postgres:postgres', pwfile]);
    await pgRun('initdb', [
      '-D',
      data,
      '-U',
      SUPERUSER,
      '--pwfile',
      pwfile,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    const port = await freePort();
    const conf = {
      listen_addresses: "'127.0.0.1'",
      port: String(port),
      unix_socket_directories: `'${dir}'`,
      wal_level: 'logical',
      max_replication_slots: '32',
      max_wal_senders: '32',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...settings,
    };
    fs.appendFileSync(
      path.join(data, 'postgresql.conf'),
      Object.entries(conf)
        .map(([k, v]) => `${k} = ${v}\n`)
        .join(''),
    );
    fs.appendFileSync(path.join(data, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 scram-sha-256\n');
    const server = new PostgresServer(dir, port);
    await server.startProcess();
    return server;
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  private async startProcess(): Promise<void> {
    await pgRun('pg_ctl', [
      '-D',
      this.data,
      '-l',
      path.join(this.dir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** A connection string for `database` (default postgres), as the superuser. */
  url(database = 'postgres', user = SUPERUSER, password = PASSWORD): string {
    return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${this.host}:${this.port}/${database}`;
  }

  /** Runs SQL on `database` and returns the rows. */
  async query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async createDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return name;
  }

  /** Stops and starts the server again (for tests of reconnecting clients). */
  async restart(downMs = 0): Promise<void> {
    await pgRun('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.startProcess();
  }

  async stop(): Promise<void> {
    try {
      await pgRun('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
