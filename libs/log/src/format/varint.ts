/**
 * Zig-zag varints as Kafka's record format uses them (protobuf's encoding): 7 bits per byte, low
 * groups first, high bit set on every byte but the last. int32 values take at most 5 bytes, int64
 * at most 10. Values are JS numbers, so int64 fields are limited to safe integers.
 */

const TWO_POW_32 = 4294967296;

export function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

function isInt32(value: number): boolean {
  return value >= -2147483648 && value <= 2147483647;
}

// Beyond int32 (rare: timestamp deltas are small) zig-zag can exceed 2^53, so BigInt does it.
function zigzag64(value: number): bigint {
  const v = BigInt(value);
  return v >= 0n ? v << 1n : (-v << 1n) - 1n;
}

export function sizeOfVarlong(value: number): number {
  if (isInt32(value)) return sizeOfVarint(value);
  let v = zigzag64(value);
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

export function writeVarlong(buf: Uint8Array, pos: number, value: number): number {
  if (isInt32(value)) return writeVarint(buf, pos, value);
  let v = zigzag64(value);
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

/**
 * A cursor for reading varints: decoders keep one and read `pos` after each call, so the hot path
 * returns a plain number and allocates nothing.
 */
export class VarintReader {
  pos = 0;

  constructor(public buf: Uint8Array) {}

  reset(buf: Uint8Array, pos: number): void {
    this.buf = buf;
    this.pos = pos;
  }

  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    let v = b & 0x7f;
    if (b >= 0x80) {
      b = buf[pos++]!;
      v |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = buf[pos++]!;
        v |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = buf[pos++]!;
          v |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = buf[pos++]!;
            if (b > 0x0f) throw new RangeError(`varint longer than 5 bytes at ${this.pos}`);
            v |= b << 28;
          }
        }
      }
    }
    if (pos > buf.length) throw new RangeError(`varint runs past the end of the buffer at ${this.pos}`);
    this.pos = pos;
    return (v >>> 1) ^ -(v & 1);
  }

  /** A zig-zag varlong; exact for every value that fits a safe integer, RangeError beyond. */
  varlong(): number {
    const buf = this.buf;
    const start = this.pos;
    const first = buf[start];
    if (first !== undefined && first < 0x80) {
      this.pos = start + 1;
      return (first >>> 1) ^ -(first & 1);
    }
    let result = 0n;
    let shift = 0n;
    for (let pos = start; pos < start + 10; pos++) {
      if (pos >= buf.length) throw new RangeError(`varlong runs past the end of the buffer at ${start}`);
      const b = buf[pos]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos + 1;
        const value = (result >> 1n) ^ -(result & 1n);
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new RangeError(`varlong at ${start} is beyond the safe integer range`);
        }
        return Number(value);
      }
      shift += 7n;
    }
    throw new RangeError(`varlong longer than 10 bytes at ${start}`);
  }
}

/** int64 fields as two 32-bit halves: exact for every safe integer, and no BigInt on the hot path. */
export function writeInt64BE(buf: Buffer, pos: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(value - high * TWO_POW_32, pos + 4);
}

export function readInt64BE(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
}
