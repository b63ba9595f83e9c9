import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C (Castagnoli), as Kafka's RecordBatch v2 uses; hardware-accelerated where the CPU has it. */
export function crc32c(data: Buffer): number {
  return nativeCrc32c(data) >>> 0;
}
