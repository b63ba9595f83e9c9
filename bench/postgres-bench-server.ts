import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const PASSWORD = 'sluice-bench';
const isRoot = process.getuid?.() === 0;

async function pgRun(binary: string, args: string[]): Promise<void> {
  const cmd = path.join(BIN, binary);
  if (isRoot) await run('runuser', ['-u', 'postgres', '--', cmd, ...args], { cwd: os.tmpdir() });
  else await run(cmd, args, { cwd: os.tmpdir() });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway PostgreSQL 15 for one bench run, set up as test/support/postgres-server.ts does:
 * logical replication on, fsync off (the bench measures Sluice, not this machine's disk; every
 * side of a comparison runs against the same server).
 */
export class BenchPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  readonly host = '127.0.0.1';
  readonly user = 'postgres';
  readonly password = PASSWORD;

  static async start(): Promise<BenchPostgres> {
    const dir = fs.mkdtempSync(path.join(process.env['SLUICE_BENCH_DIR'] ?? os.tmpdir(), 'sluice-bench-pg-'));
    const data = path.join(dir, 'data');
    const pwfile = path.join(dir, 'pw');
    fs.writeFileSync(pwfile, PASSWORD);
    if (isRoot) await run('chown', ['-R', 'postgres:postgres', dir]);
    await pgRun('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--pwfile',
      pwfile,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    const port = await freePort();
    const conf: Record<string, string> = {
      listen_addresses: "'127.0.0.1'",
      port: String(port),
      unix_socket_directories: `'${dir}'`,
      wal_level: 'logical',
      max_replication_slots: '32',
      max_wal_senders: '32',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      shared_buffers: "'256MB'",
      max_wal_size: "'4GB'",
    };
    fs.appendFileSync(
      path.join(data, 'postgresql.conf'),
      Object.entries(conf)
        .map(([k, v]) => `${k} = ${v}\n`)
        .join(''),
    );
    fs.appendFileSync(path.join(data, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 scram-sha-256\n');
    const server = new BenchPostgres(dir, port);
    await pgRun('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    return server;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres:${PASSWORD}@${this.host}:${this.port}/${database}`;
  }

  async connect(database = 'postgres'): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    return client;
  }

  /** Runs SQL on `database` over a connection of its own. */
  async query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    database = 'postgres',
  ): Promise<T[]> {
    const client = await this.connect(database);
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    try {
      await pgRun('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
