import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresServer } from '../support/postgres-server.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await PostgresServer.start();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('the throwaway PostgreSQL server of the tests', () => {
  it('runs PostgreSQL 15 with logical replication on a private port', async () => {
    const [row] = await server.query<{ version: string; wal_level: string }>(
      "SELECT version(), current_setting('wal_level') AS wal_level",
    );
    expect(row!.version).toMatch(/^PostgreSQL 15\./);
    expect(row!.wal_level).toBe('logical');
  });

  it('accepts replication connections and restarts', async () => {
    const replication = new pg.Client({
      connectionString: server.url(),
      replication: 'database',
    } as pg.ClientConfig);
    await replication.connect();
    const result = await replication.query('IDENTIFY_SYSTEM');
    expect(result.rows[0]).toHaveProperty('xlogpos');
    await replication.end();
    await server.restart();
    expect((await server.query('SELECT 1 AS one'))[0]).toEqual({ one: 1 });
  });
});
