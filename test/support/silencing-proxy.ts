import { TcpProxy } from './tcp-proxy.js';

/**
 * A TCP proxy in front of a PostgreSQL server that can silence its replication connections: from
 * silence() on, nothing more passes between those clients and the server either way, and neither
 * side is told (no FIN, no reset), as when a network fails between them. Other connections, and
 * connections made later, pass as usual.
 */
interface ProxiedConnection {
  replication: boolean;
  silenced: boolean;
}

export class SilencingProxy {
  private constructor(
    private readonly proxy: TcpProxy,
    private readonly connections: ReadonlySet<ProxiedConnection>,
  ) {}

  get port(): number {
    return this.proxy.port;
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<SilencingProxy> {
    const connections = new Set<ProxiedConnection>();
    const proxy = await TcpProxy.start({ port: targetPort, host: targetHost }, (client, upstream) => {
      const state: ProxiedConnection = { replication: false, silenced: false };
      connections.add(state);
      client.once('close', () => connections.delete(state));
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
    return new SilencingProxy(proxy, connections);
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
    return this.proxy.close();
  }
}
