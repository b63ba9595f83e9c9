/**
 * Reuses the buffers of batches whose appends completed. A producer sending megabyte batches would
 * otherwise allocate a fresh external buffer per batch, and V8 answers a steady stream of large
 * external allocations with frequent full collections, which costs more than the copying.
 */
export class BatchBufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    private readonly maxBuffers: number,
    private readonly minCapacity: number,
  ) {}

  /** A buffer of exactly `size` bytes (a view of a pooled one when one is big enough). */
  take(size: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buffer = this.free[i]!;
      if (buffer.length >= size) {
        this.free.splice(i, 1);
        return buffer.subarray(0, size);
      }
    }
    return Buffer.allocUnsafeSlow(Math.max(size, this.minCapacity)).subarray(0, size);
  }

  /** Returns a buffer from take() once nothing reads it any more. */
  give(view: Buffer): void {
    if (this.free.length >= this.maxBuffers) return;
    this.free.push(Buffer.from(view.buffer, view.byteOffset, view.buffer.byteLength - view.byteOffset));
  }
}
