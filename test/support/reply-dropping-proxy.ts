import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a PostgreSQL server that, once armed, passes the next simple-query
 * COMMIT on and then cuts the connection before its answer comes back: the transaction is
 * committed, and the client cannot know it.
 */
export class ReplyDroppingProxy {
  private armed = false;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<ReplyDroppingProxy> {
    let proxy: ReplyDroppingProxy | null = null;
    const server = net.createServer((client) => {
      const upstream = net.connect(targetPort, targetHost);
      for (const socket of [client, upstream]) {
        proxy?.sockets.add(socket);
        socket.once('close', () => proxy?.sockets.delete(socket));
      }
      let pending = Buffer.alloc(0);
      let startup = true;
      let cut = false;
      client.on('data', (data: Buffer) => {
        pending = Buffer.concat([pending, data]);
        // frontend messages: a startup packet (length first), then type byte + length
        for (;;) {
          if (startup) {
            if (pending.length < 4 || pending.length < pending.readInt32BE(0)) break;
            pending = pending.subarray(pending.readInt32BE(0));
            startup = false;
            continue;
          }
          if (pending.length < 5 || pending.length < pending.readInt32BE(1) + 1) break;
          const length = pending.readInt32BE(1);
          const query = pending
            .subarray(5, length + 1)
            .toString('utf8')
            .replace(/\0$/, '')
            .trim();
          if (proxy?.armed && pending[0] === 0x51 /* Q */ && /^COMMIT$/i.test(query)) {
            proxy.armed = false;
            cut = true;
          }
          pending = pending.subarray(length + 1);
        }
        upstream.write(data);
      });
      upstream.on('data', (data: Buffer) => {
        if (!cut) {
          client.write(data);
          return;
        }
        client.destroy();
        upstream.destroy();
      });
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        a.on('error', () => b.destroy());
        a.on('close', () => b.destroy());
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new ReplyDroppingProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  /** The next COMMIT goes through and its answer is lost. */
  dropNextCommitReply(): void {
    this.armed = true;
  }

  /** Stops listening and cuts the connections still open. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
