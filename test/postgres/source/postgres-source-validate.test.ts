import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PostgresSourceConnector } from '../../../connectors/postgres/src/source/index.js';
import { plugins } from '../../../connectors/postgres/src/index.js';
import { PostgresServer } from '../../support/postgres-server.js';
import { OffsetStore, SourceTaskDriver, sourceConfig } from './source-test-kit.js';

let server: PostgresServer;
let db: string;

beforeAll(async () => {
  server = await PostgresServer.start();
  db = await server.createDatabase('shop');
  await server.query(
    `CREATE TABLE public.orders (id int PRIMARY KEY); CREATE TABLE public.lines (id int PRIMARY KEY);
     CREATE ROLE capture LOGIN REPLICATION PASSWORD 'capture-pw';
     GRANT SELECT ON ALL TABLES IN SCHEMA public TO capture;`,
    [],
    db,
  );
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function validate(overrides: Record<string, string>): Promise<Record<string, string[]>> {
  const result = await new PostgresSourceConnector().validate(sourceConfig(server, db, overrides));
  return Object.fromEntries(result.errors.map((e) => [e.field, e.messages]));
}

describe('postgres-source validation', () => {
  it('is registered as postgres-source with the Debezium class name as an alias', () => {
    const plugin = plugins.find((p) => p.name === 'postgres-source')!;
    expect(plugin.type).toBe('source');
    expect(plugin.aliases).toContain('io.debezium.connector.postgresql.PostgresConnector');
    expect(new PostgresSourceConnector().taskConfigs(8)).toHaveLength(1);
  });

  it('accepts a working setup', async () => {
    expect(await validate({ 'table.include.list': 'public.orders' })).toEqual({});
  });

  it('names the password on a wrong password, without echoing it', async () => {
    const errors = await validate({ 'database.password': 'not-the-password' });
    expect(Object.keys(errors)).toEqual(['database.password']);
    expect(errors['database.password']!.join()).toMatch(
      /password authentication failed.*check database.user and database.password/,
    );
    expect(errors['database.password']!.join()).not.toContain('not-the-password');
  });

  it('names a table.include.list entry that matches no table', async () => {
    const errors = await validate({ 'table.include.list': 'public.orders,public.missing' });
    expect(errors['table.include.list']!.join()).toMatch(
      /no table of database shop matches "public.missing"/,
    );
  });

  it('says when the user may not create the publication the mode asks for', async () => {
    const user = { 'database.user': 'capture', 'database.password': 'capture-pw' };
    const allTables = await validate({ ...user, 'publication.autocreate.mode': 'all_tables' });
    expect(allTables['publication.autocreate.mode']!.join()).toMatch(/FOR ALL TABLES needs a superuser/);
    const filtered = await validate({ ...user, 'publication.autocreate.mode': 'filtered' });
    expect(filtered['publication.autocreate.mode']!.join()).toMatch(
      /needs ownership of public.lines, public.orders/,
    );
    const disabled = await validate({ ...user, 'publication.autocreate.mode': 'disabled' });
    expect(disabled['publication.name']!.join()).toMatch(
      /does not exist and publication.autocreate.mode=disabled/,
    );
  });

  it('fails a task with the same message when it may not create the publication', async () => {
    const driver = new SourceTaskDriver(
      sourceConfig(server, db, { 'database.user': 'capture', 'database.password': 'capture-pw' }),
      new OffsetStore(),
    );
    await expect(driver.start()).rejects.toThrow(
      /cannot set up publication pub_shop \(publication.autocreate.mode=all_tables\).*create the publication yourself/,
    );
  });

  it('names wal_level on a server without logical decoding', async () => {
    const replica = await PostgresServer.start({ wal_level: 'replica' });
    try {
      const result = await new PostgresSourceConnector().validate(sourceConfig(replica, 'postgres'));
      const messages = result.errors.find((e) => e.field === 'database.hostname')?.messages.join() ?? '';
      expect(messages).toMatch(/wal_level=replica, but logical replication needs wal_level=logical/);
    } finally {
      await replica.stop();
    }
  });
});

describe('postgres-source slot.drop.on.stop', () => {
  it('drops the slot when the connector is deleted, and only when asked', async () => {
    const slots = async (): Promise<string[]> =>
      (
        await server.query<{ slot_name: string }>('SELECT slot_name FROM pg_replication_slots ORDER BY 1')
      ).map((r) => r.slot_name);
    await server.query("SELECT pg_create_logical_replication_slot('kept', 'pgoutput')", [], db);
    await server.query("SELECT pg_create_logical_replication_slot('dropped', 'pgoutput')", [], db);
    await new PostgresSourceConnector().onDelete(sourceConfig(server, db, { 'slot.name': 'kept' }));
    await new PostgresSourceConnector().onDelete(
      sourceConfig(server, db, { 'slot.name': 'dropped', 'slot.drop.on.stop': 'true' }),
    );
    expect(await slots()).toEqual(['kept']);
  });
});
