import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on a free local port: each connection's client socket and its socket to the target
 * are handed to `pipe`, which passes data between them as the test needs; close() stops listening
 * and cuts every connection still open.
 */
export class TcpProxy {
  private constructor(
    private readonly server: net.Server,
    private readonly sockets: ReadonlySet<net.Socket>,
    readonly port: number,
  ) {}

  static async start(
    target: { port: number; host: string },
    pipe: (client: net.Socket, upstream: net.Socket) => void,
  ): Promise<TcpProxy> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      }
      pipe(client, upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TcpProxy(server, sockets, (server.address() as AddressInfo).port);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
