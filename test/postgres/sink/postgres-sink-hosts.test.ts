import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SchemaBuilder, Schemas } from '@sluice/connect-api';
import { PostgresSinkConnector } from '../../../connectors/postgres/src/sink/index.js';
import { connectionSettings } from '../../../connectors/postgres/src/sink/connection-settings.js';
import { pgErrorKind } from '../../../connectors/postgres/src/sink/pg-error-kind.js';
import type { PostgresSinkConfig } from '../../../connectors/postgres/src/sink/postgres-sink.config.js';
import { SinkSession } from '../../../connectors/postgres/src/sink/sink-session.js';
import { freePort } from '../../support/free-port.js';
import { PostgresServer } from '../../support/postgres-server.js';
import { putAndFlush, RecordFactory, startSinkTask } from './sink-test-kit.js';

// two servers: one whose sessions are read-only by default (as a standby's are, or a demoted
// primary's), one that takes writes; and a port where nothing listens
let readOnly: PostgresServer;
let writable: PostgresServer;
let closedPort: number;
const DB = 'sinkhosts';
const PASSWORD = 'sluice-test';

beforeAll(async () => {
  [readOnly, writable] = await Promise.all([PostgresServer.start(), PostgresServer.start()]);
  await readOnly.createDatabase(DB);
  await readOnly.query('ALTER SYSTEM SET default_transaction_read_only = on');
  await readOnly.query('SELECT pg_reload_conf()');
  await writable.createDatabase(DB);
  closedPort = await freePort();
}, 120_000);
afterAll(async () => {
  await Promise.all([readOnly?.stop(), writable?.stop()]);
});

const url = (ports: number[], query = ''): string =>
  `postgres://postgres:${PASSWORD}@${ports.map((p) => `127.0.0.1:${p}`).join(',')}/${DB}${query}`;

const settingsOf = (connectionUrl: string): ReturnType<typeof connectionSettings> =>
  connectionSettings({
    'connection.url': connectionUrl,
    'connection.user': '',
    'connection.password': '',
  } as PostgresSinkConfig);

async function portOfSession(connectionUrl: string): Promise<number> {
  const session = await SinkSession.open(settingsOf(connectionUrl), 3000);
  try {
    return (session.client as unknown as { port: number }).port;
  } finally {
    await session.close();
  }
}

describe('postgres-sink with several hosts', () => {
  it('connects to the first host that answers, in the order given', async () => {
    expect(await portOfSession(url([closedPort, writable.port]))).toBe(writable.port);
    expect(await portOfSession(url([writable.port, readOnly.port]))).toBe(writable.port);
    // any session will do by default, a read-only one too (libpq's default)
    expect(await portOfSession(url([readOnly.port, writable.port]))).toBe(readOnly.port);
  });

  it('skips hosts whose sessions are read-only when target_session_attrs asks for read-write', async () => {
    const rw = '?target_session_attrs=read-write';
    expect(await portOfSession(url([closedPort, readOnly.port, writable.port], rw))).toBe(writable.port);
    // pgjdbc's spelling of the same
    const jdbc = `jdbc:postgresql://127.0.0.1:${readOnly.port},127.0.0.1:${writable.port}/${DB}?user=postgres&password=${PASSWORD}&targetServerType=primary`;
    expect(await portOfSession(jdbc)).toBe(writable.port);
    // pgjdbc's preferPrimary: a read-write host first, else whatever answers
    const prefer = (ports: number[]): string =>
      `jdbc:postgresql://${ports.map((p) => `127.0.0.1:${p}`).join(',')}/${DB}?user=postgres&password=${PASSWORD}&targetServerType=preferPrimary`;
    expect(await portOfSession(prefer([readOnly.port, writable.port]))).toBe(writable.port);
    expect(await portOfSession(prefer([closedPort, readOnly.port]))).toBe(readOnly.port);
    // libpq's primary only refuses a standby: read-only by default is not one
    expect(await portOfSession(url([readOnly.port, writable.port], '?target_session_attrs=primary'))).toBe(
      readOnly.port,
    );
  });

  it('says what each host answered when none gives a session, retriably, without the password', async () => {
    let error: Error | null = null;
    try {
      await SinkSession.open(
        settingsOf(url([closedPort, readOnly.port], '?target_session_attrs=read-write')),
        3000,
      );
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(AggregateError);
    expect(error!.message).toContain(`127.0.0.1:${closedPort}: `);
    expect(error!.message).toContain(
      `127.0.0.1:${readOnly.port}: 127.0.0.1:${readOnly.port} gives read-only sessions (a standby, or default_transaction_read_only is on) and target_session_attrs asks for read-write`,
    );
    expect(error!.message).not.toContain(PASSWORD);
    // a failover in progress: the task retries until a host takes writes again
    expect(pgErrorKind(error)).toBe('transient');
  });

  it('validation names the read-only host rather than the one that is down', async () => {
    const result = await new PostgresSinkConnector().validate({
      'connection.url': url([closedPort, readOnly.port], '?target_session_attrs=read-write'),
      topics: 't',
    });
    expect(result.errors).toEqual([
      {
        field: 'connection.url',
        messages: [expect.stringContaining(`127.0.0.1:${readOnly.port} gives read-only sessions`)],
      },
    ]);
  });

  it('writes through the read-write host of a list', async () => {
    const { task } = await startSinkTask({
      'connection.url': url([closedPort, readOnly.port, writable.port], '?target_session_attrs=read-write'),
      topics: 'hosts',
      'auto.create': 'true',
      'table.name.format': 'host_rows',
    });
    try {
      const value = SchemaBuilder.struct().field('n', Schemas.INT32).build();
      const f = new RecordFactory('hosts');
      await putAndFlush(
        task,
        [1, 2, 3].map((n) => f.record(null, { n }, { valueSchema: value })),
      );
    } finally {
      await task.stop();
    }
    expect(await writable.query('SELECT n FROM host_rows ORDER BY n', [], DB)).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
  });
});
