import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a PostgreSQL server that can silence its replication connections: from
 * silence() on, nothing more passes between those clients and the server either way, and neither
 * side is told (no FIN, no reset), as when a network fails between them. Other connections, and
 * connections made later, pass as usual.
 */
export class SilencingProxy {
  private readonly connections = new Set<{ replication: boolean; silenced: boolean }>();
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<SilencingProxy> {
    let proxy: SilencingProxy | null = null;
    const server = net.createServer((client) => {
      const upstream = net.connect(targetPort, targetHost);
      const state = { replication: false, silenced: false };
      proxy?.connections.add(state);
      client.once('close', () => proxy?.connections.delete(state));
      for (const socket of [client, upstream]) {
        proxy?.sockets.add(socket);
        socket.once('close', () => proxy?.sockets.delete(socket));
      }
      let first = true;
      client.on('data', (data: Buffer) => {
        // the startup packet's parameters say replication=database for a walsender connection
        if (first) state.replication = data.includes('replication\0database\0');
        first = false;
        if (!state.silenced) upstream.write(data);
      });
      upstream.on('data', (data: Buffer) => {
        if (!state.silenced) client.write(data);
      });
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        // a silenced side hears nothing of the other's end either
        a.on('error', () => state.silenced || b.destroy());
        a.on('close', () => state.silenced || b.destroy());
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new SilencingProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  /** Replication connections open now pass nothing more, and stay open; returns how many. */
  silenceReplication(): number {
    let n = 0;
    for (const c of this.connections) {
      if (c.replication && !c.silenced) {
        c.silenced = true;
        n++;
      }
    }
    return n;
  }

  /** Stops listening and cuts the connections still open. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
