import { describe, expect, it } from '@jest/globals';
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
});
