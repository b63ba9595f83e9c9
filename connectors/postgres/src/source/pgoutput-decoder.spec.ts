import { describe, expect, it } from '@jest/globals';
import { decodePgoutput } from './pgoutput-decoder.js';
import { UNCHANGED_TOAST } from './pgoutput-message.js';

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};
const cstr = (s: string): Buffer => Buffer.concat([Buffer.from(s), Buffer.from([0])]);
const text = (s: string): Buffer =>
  Buffer.concat([Buffer.from('t'), u32(Buffer.byteLength(s)), Buffer.from(s)]);

describe('decodePgoutput', () => {
  it('decodes begin and commit with times moved to the Unix epoch', () => {
    const begin = decodePgoutput(Buffer.concat([Buffer.from('B'), u64(0x100n), u64(1_000_000n), u32(77)]));
    expect(begin).toMatchObject({ tag: 'begin', finalLsn: 0x100n, xid: 77, commitTimeMs: 946_684_801_000 });
    const commit = decodePgoutput(
      Buffer.concat([Buffer.from('C'), Buffer.from([0]), u64(0x100n), u64(0x130n), u64(0n)]),
    );
    expect(commit).toEqual({
      tag: 'commit',
      commitLsn: 0x100n,
      endLsn: 0x130n,
      commitTimeMs: 946_684_800_000,
    });
  });

  it('decodes relations and tuples with nulls, unchanged TOAST values and unicode', () => {
    const relation = decodePgoutput(
      Buffer.concat([
        Buffer.from('R'),
        u32(16384),
        cstr('public'),
        cstr('t'),
        Buffer.from('f'),
        u16(2),
        Buffer.from([1]),
        cstr('id'),
        u32(23),
        u32(0xffffffff),
        Buffer.from([0]),
        cstr('v'),
        u32(25),
        u32(0xffffffff),
      ]),
    );
    expect(relation).toEqual({
      tag: 'relation',
      relationOid: 16384,
      schema: 'public',
      table: 't',
      replicaIdentity: 'full',
      columns: [
        { isKey: true, name: 'id', typeOid: 23, typeMod: -1 },
        { isKey: false, name: 'v', typeOid: 25, typeMod: -1 },
      ],
    });
    const update = decodePgoutput(
      Buffer.concat([
        Buffer.from('U'),
        u32(16384),
        Buffer.from('O'),
        u16(2),
        text('1'),
        Buffer.from('n'),
        Buffer.from('N'),
        u16(2),
        text('日本'),
        Buffer.from('u'),
      ]),
    );
    expect(update).toEqual({
      tag: 'update',
      relationOid: 16384,
      oldKind: 'O',
      oldTuple: ['1', null],
      newTuple: ['日本', UNCHANGED_TOAST],
    });
  });

  it('refuses truncated and unknown messages instead of reading garbage', () => {
    expect(() =>
      decodePgoutput(
        Buffer.concat([Buffer.from('I'), u32(1), Buffer.from('N'), u16(1), Buffer.from('t'), u32(9)]),
      ),
    ).toThrow(/message ends early/);
    expect(() => decodePgoutput(Buffer.from('Z'))).toThrow(/unknown pgoutput message 'Z'/);
  });
});
