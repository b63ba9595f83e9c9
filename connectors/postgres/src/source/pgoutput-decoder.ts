import { ConnectError } from '@sluice/connect-api';
import {
  UNCHANGED_TOAST,
  type PgoutputMessage,
  type RelationColumn,
  type ReplicaIdentity,
  type TupleValue,
} from './pgoutput-message.js';

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000n;
const PG_EPOCH_MS = 946_684_800_000;

/**
 * Decodes one pgoutput message (protocol version 1, text values) from the payload of an XLogData
 * frame. The payload may be a view of a buffer the connection reuses: everything decoded is copied
 * out (strings, or Buffer copies), so the result outlives the call.
 *
 * Wire grammar (all integers big-endian; String = bytes up to a NUL):
 *   Begin     'B' Int64 finalLsn, Int64 commitTime(us since 2000), Int32 xid
 *   Commit    'C' Int8 flags, Int64 commitLsn, Int64 endLsn, Int64 commitTime
 *   Origin    'O' Int64 lsn, String name
 *   Relation  'R' Int32 oid, String schema, String name, Int8 identity, Int16 n,
 *                 n × (Int8 flags(1 = key), String name, Int32 typeOid, Int32 typeMod)
 *   Type      'Y' Int32 oid, String schema, String name
 *   Insert    'I' Int32 oid, 'N' TupleData
 *   Update    'U' Int32 oid, ['K'|'O' TupleData], 'N' TupleData
 *   Delete    'D' Int32 oid, 'K'|'O' TupleData
 *   Truncate  'T' Int32 n, Int8 flags(1 cascade, 2 restart identity), n × Int32 oid
 *   Message   'M' Int8 flags(1 transactional), Int64 lsn, String prefix, Int32 length, bytes
 *   TupleData Int16 n, n × ('n' | 'u' | 't' Int32 length, bytes)
 */
export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const reader = new Reader(buf);
  const tag = reader.byte();
  switch (tag) {
    case 0x42 /* B */: {
      const finalLsn = reader.uint64();
      const commitTimeUs = reader.int64() + PG_EPOCH_US;
      return {
        tag: 'begin',
        finalLsn,
        commitTimeUs,
        commitTimeMs: Number(commitTimeUs / 1000n),
        xid: reader.uint32(),
      };
    }
    case 0x43 /* C */: {
      reader.byte();
      const commitLsn = reader.uint64();
      const endLsn = reader.uint64();
      const commitTimeMs = Number(reader.int64() / 1000n) + PG_EPOCH_MS;
      return { tag: 'commit', commitLsn, endLsn, commitTimeMs };
    }
    case 0x52 /* R */: {
      const relationOid = reader.uint32();
      const schema = reader.cstring();
      const table = reader.cstring();
      const replicaIdentity = identity(reader.byte());
      const count = reader.int16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) {
        const flags = reader.byte();
        const name = reader.cstring();
        const typeOid = reader.uint32();
        const typeMod = reader.int32();
        columns.push({ isKey: (flags & 1) === 1, name, typeOid, typeMod });
      }
      return { tag: 'relation', relationOid, schema, table, replicaIdentity, columns };
    }
    case 0x59 /* Y */:
      return { tag: 'type', typeOid: reader.uint32(), schema: reader.cstring(), name: reader.cstring() };
    case 0x49 /* I */: {
      const relationOid = reader.uint32();
      reader.expect(0x4e);
      return { tag: 'insert', relationOid, newTuple: reader.tuple() };
    }
    case 0x55 /* U */: {
      const relationOid = reader.uint32();
      let kind = reader.byte();
      let oldKind: 'K' | 'O' | null = null;
      let oldTuple: TupleValue[] | null = null;
      if (kind === 0x4b || kind === 0x4f) {
        oldKind = kind === 0x4b ? 'K' : 'O';
        oldTuple = reader.tuple();
        kind = reader.byte();
      }
      if (kind !== 0x4e) throw protocolError(`update without a new tuple (got ${String.fromCharCode(kind)})`);
      return { tag: 'update', relationOid, oldKind, oldTuple, newTuple: reader.tuple() };
    }
    case 0x44 /* D */: {
      const relationOid = reader.uint32();
      const kind = reader.byte();
      if (kind !== 0x4b && kind !== 0x4f)
        throw protocolError(`delete without an old tuple (got ${String.fromCharCode(kind)})`);
      return { tag: 'delete', relationOid, oldKind: kind === 0x4b ? 'K' : 'O', oldTuple: reader.tuple() };
    }
    case 0x54 /* T */: {
      const count = reader.uint32();
      const flags = reader.byte();
      const relationOids: number[] = [];
      for (let i = 0; i < count; i++) relationOids.push(reader.uint32());
      return {
        tag: 'truncate',
        relationOids,
        cascade: (flags & 1) !== 0,
        restartIdentity: (flags & 2) !== 0,
      };
    }
    case 0x4f /* O */:
      return { tag: 'origin', originLsn: reader.uint64(), name: reader.cstring() };
    case 0x4d /* M */: {
      const flags = reader.byte();
      const lsn = reader.uint64();
      const prefix = reader.cstring();
      const length = reader.uint32();
      return { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content: reader.copy(length) };
    }
    default:
      throw protocolError(`unknown pgoutput message '${String.fromCharCode(tag)}' (0x${tag.toString(16)})`);
  }
}

function identity(byte: number): ReplicaIdentity {
  switch (byte) {
    case 0x64:
      return 'default';
    case 0x6e:
      return 'nothing';
    case 0x66:
      return 'full';
    case 0x69:
      return 'index';
    default:
      throw protocolError(`unknown replica identity '${String.fromCharCode(byte)}'`);
  }
}

function protocolError(message: string): ConnectError {
  return new ConnectError(`pgoutput protocol error: ${message}`);
}

/** A cursor over one message; every read checks the bounds, so a short message is an error, not garbage. */
class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw protocolError('message ends early');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  expect(byte: number): void {
    const got = this.byte();
    if (got !== byte)
      throw protocolError(`expected '${String.fromCharCode(byte)}', got '${String.fromCharCode(got)}'`);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw protocolError('unterminated string');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  copy(length: number): Buffer {
    this.need(length);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    return out;
  }

  tuple(): TupleValue[] {
    const count = this.int16();
    const values: TupleValue[] = new Array<TupleValue>(count);
    const buf = this.buf;
    for (let i = 0; i < count; i++) {
      this.need(1);
      const kind = buf[this.pos++]!;
      if (kind === 0x74 /* t */) {
        this.need(4);
        const length = buf.readUInt32BE(this.pos);
        this.pos += 4;
        this.need(length);
        values[i] = buf.toString('utf8', this.pos, this.pos + length);
        this.pos += length;
      } else if (kind === 0x6e /* n */) {
        values[i] = null;
      } else if (kind === 0x75 /* u */) {
        values[i] = UNCHANGED_TOAST;
      } else {
        // 'b' only comes with the binary option, which Sluice never asks for
        throw protocolError(`unexpected tuple value kind '${String.fromCharCode(kind)}'`);
      }
    }
    return values;
  }
}
