/**
 * A Buffer over part of another's memory, made the way Node makes its own (FastBuffer: a
 * Uint8Array subclass whose prototype chain holds Buffer.prototype). Buffer#subarray goes through
 * the species protocol and costs about three times as much, which matters at millions of records
 * a second; so does reading `.buffer` and `.byteOffset` per view, so hot loops read them once and
 * call the constructor directly. The result is a real Buffer: Buffer.isBuffer() is true and every
 * method works.
 */
export class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);

export function bufferView(source: Buffer, start: number, end: number): Buffer {
  return new BufferView(
    source.buffer as ArrayBuffer,
    source.byteOffset + start,
    end - start,
  ) as unknown as Buffer;
}
