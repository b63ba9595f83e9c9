import { TcpProxy } from './tcp-proxy.js';

/**
 * A TCP proxy in front of a PostgreSQL server that, once armed, passes the next simple-query
 * COMMIT on and then cuts the connection before its answer comes back: the transaction is
 * committed, and the client cannot know it.
 */
export class ReplyDroppingProxy {
  private constructor(
    private readonly proxy: TcpProxy,
    /** Set: the next COMMIT's answer is dropped. */
    private readonly armed: { next: boolean },
  ) {}

  get port(): number {
    return this.proxy.port;
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<ReplyDroppingProxy> {
    const armed = { next: false };
    const proxy = await TcpProxy.start({ port: targetPort, host: targetHost }, (client, upstream) => {
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
          if (armed.next && pending[0] === 0x51 /* Q */ && /^COMMIT$/i.test(query)) {
            armed.next = false;
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
    return new ReplyDroppingProxy(proxy, armed);
  }

  /** The next COMMIT goes through and its answer is lost. */
  dropNextCommitReply(): void {
    this.armed.next = true;
  }

  /** Stops listening and cuts the connections still open. */
  close(): Promise<void> {
    return this.proxy.close();
  }
}
