import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { parseConnectionUrl } from './connection-url.js';
import { SinkSession } from './sink-session.js';

const SSL_REQUEST = 80_877_103;
const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/**
 * A server without TLS that notes how each connection begins (an SSLRequest, or a plain startup
 * message), answers an SSLRequest with N (no TLS) and ends a startup: enough to see the order in
 * which a client tries TLS and plain connections.
 */
async function noTlsServer(): Promise<{ port: number; openings: string[] }> {
  const openings: string[] = [];
  const server = net.createServer((socket) => {
    socket.once('data', (data: Buffer) => {
      const code = data.readInt32BE(4);
      if (code === SSL_REQUEST) {
        openings.push('ssl');
        socket.write('N');
        socket.once('data', () => {
          openings.push('startup after N');
          socket.destroy();
        });
      } else {
        openings.push('plain');
        socket.destroy();
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, openings };
}

const settings = (port: number, mode: string) => ({
  target: parseConnectionUrl(`postgres://127.0.0.1:${port}/db?sslmode=${mode}`),
  user: 'u',
  password: 'p',
});

describe('SinkSession.open', () => {
  it('tries TLS first for sslmode=prefer, then without it when the server has none', async () => {
    const { port, openings } = await noTlsServer();
    await expect(SinkSession.open(settings(port, 'prefer'), 2000)).rejects.toThrow();
    expect(openings).toEqual(['ssl', 'plain']);
  });

  it('connects without TLS first for sslmode=allow, and never asks for it with disable', async () => {
    const allow = await noTlsServer();
    await expect(SinkSession.open(settings(allow.port, 'allow'), 2000)).rejects.toThrow();
    expect(allow.openings).toEqual(['plain']);
    const disable = await noTlsServer();
    await expect(SinkSession.open(settings(disable.port, 'disable'), 2000)).rejects.toThrow();
    expect(disable.openings).toEqual(['plain']);
  });

  it('fails sslmode=require against a server without TLS, without trying it plain', async () => {
    const { port, openings } = await noTlsServer();
    await expect(SinkSession.open(settings(port, 'require'), 2000)).rejects.toThrow(/does not support SSL/);
    expect(openings).toEqual(['ssl']);
  });
});
