import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type pg from 'pg';
import { ReplicationStream } from './replication-stream.js';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};

/** CopyData as the server sends it: XLogData (w, start, WAL end, send time) around a pgoutput message. */
const xlogData = (lsn: bigint, message: Buffer): Buffer =>
  Buffer.concat([Buffer.from('w'), u64(lsn), u64(lsn), u64(0n), message]);
const begin = (xid: number): Buffer => Buffer.concat([Buffer.from('B'), u64(0x200n), u64(0n), u32(xid)]);

function stream(): { stream: ReplicationStream; receive: (chunk: Buffer) => void } {
  const s = new ReplicationStream({} as pg.Client, {
    slot: 's',
    publication: 'p',
    startLsn: 0n,
    maxQueue: 100,
    statusIntervalMs: 10_000,
    messages: false,
  });
  // the connection's CopyData handler, as start() wires it
  const receive = (chunk: Buffer): void =>
    (s as unknown as { onCopyData(c: Buffer): void }).onCopyData(chunk);
  return { stream: s, receive };
}

describe('ReplicationStream', () => {
  it('keeps its own copy of each message: pg reuses the buffer it reads into', () => {
    const { stream: s, receive } = stream();
    const chunk = xlogData(0x10n, begin(7));
    receive(chunk);
    chunk.fill(0);
    expect(s.take(10)).toEqual([{ lsn: 0x10n, message: expect.objectContaining({ tag: 'begin', xid: 7 }) }]);
  });

  it('fails at a message that does not decode: the ones before it are taken, none after it', () => {
    const { stream: s, receive } = stream();
    receive(xlogData(0x10n, begin(1)));
    receive(xlogData(0x20n, Buffer.from('Z')));
    receive(xlogData(0x30n, begin(3)));
    expect(s.take(10).map((m) => m.lsn)).toEqual([0x10n]);
    expect(() => s.take(10)).toThrow(/pgoutput protocol error: unknown pgoutput message 'Z'/);
    receive(xlogData(0x40n, begin(4)));
    expect(s.queued).toBe(0);
  });

  describe('silence', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    /** A started stream over a fake connection; `sent` collects its status updates. */
    function started(silenceTimeoutMs: number): {
      stream: ReplicationStream;
      receive: (chunk: Buffer) => void;
      sent: Buffer[];
    } {
      const sent: Buffer[] = [];
      const connection = {
        query: () => undefined,
        sendCopyFromChunk: (chunk: Buffer) => void sent.push(chunk),
        stream: { pause: () => undefined, resume: () => undefined },
      };
      const client = {
        on: () => undefined,
        query: (submittable: { submit(c: unknown): void }) => submittable.submit(connection),
      };
      const s = new ReplicationStream(client as unknown as pg.Client, {
        slot: 's',
        publication: 'p',
        startLsn: 0n,
        maxQueue: 1,
        statusIntervalMs: 60_000,
        silenceTimeoutMs,
        messages: false,
      });
      s.start();
      const receive = (chunk: Buffer): void =>
        (s as unknown as { onCopyData(c: Buffer): void }).onCopyData(chunk);
      return { stream: s, receive, sent };
    }
    const keepalive = Buffer.concat([Buffer.from('k'), u64(0x10n), u64(0n), Buffer.from([0])]);
    const asksForReply = (status: Buffer): boolean => status[0] === 0x72 && status[33] === 1;

    it('asks for a keepalive after half the timeout, and stays up while the server answers', async () => {
      jest.useFakeTimers();
      const { stream: s, receive, sent } = started(1_000);
      jest.advanceTimersByTime(600);
      expect(sent.filter(asksForReply)).toHaveLength(1);
      receive(keepalive);
      jest.advanceTimersByTime(900);
      expect(s.error).toBeNull();
      expect(sent.filter(asksForReply)).toHaveLength(2);
      await s.close();
    });

    it('fails as retriable after the whole timeout without a word, but not while it is not reading', async () => {
      jest.useFakeTimers();
      const { stream: s, receive, sent } = started(1_000);
      // over maxQueue: the socket is paused, and the server cannot be heard
      receive(xlogData(0x10n, begin(1)));
      receive(xlogData(0x20n, begin(2)));
      jest.advanceTimersByTime(5_000);
      expect(s.error).toBeNull();
      expect(sent.filter(asksForReply)).toHaveLength(0);
      s.take(10);
      jest.advanceTimersByTime(1_250);
      expect(s.error?.message).toMatch(
        /slot s: no message from the server in \d+ ms \(replication.timeout.ms is 1000\)/,
      );
      expect((s.error as { retriable?: boolean }).retriable).toBe(true);
      await s.close();
    });

    it('never fails for silence with a timeout of 0', async () => {
      jest.useFakeTimers();
      const { stream: s } = started(0);
      jest.advanceTimersByTime(3_600_000);
      expect(s.error).toBeNull();
      await s.close();
    });
  });
});
