import zlib from 'node:zlib';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { LogError } from '../errors.js';

/** Codec ids as Kafka stores them in the low three bits of a batch's attributes. */
export const COMPRESSION_CODECS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionType = 'none' | 'gzip' | 'lz4' | 'zstd';
export const COMPRESSION_TYPES: readonly CompressionType[] = ['none', 'gzip', 'lz4', 'zstd'];

// zstd is built into zlib from Node 22.15; on older Nodes it is reported, not silently skipped.
type ZstdZlib = {
  zstdCompressSync?: (buf: Buffer) => Buffer;
  zstdDecompressSync?: (buf: Buffer) => Buffer;
};
const zstd = zlib as unknown as ZstdZlib;

export function isCompressionSupported(type: CompressionType): boolean {
  return type !== 'zstd' || typeof zstd.zstdCompressSync === 'function';
}

export function compress(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case 'none':
      return data;
    case 'gzip':
      return zlib.gzipSync(data, { level: 1 });
    case 'lz4':
      return compressFrameSync(data);
    case 'zstd':
      if (!zstd.zstdCompressSync) throw zstdUnavailable();
      return zstd.zstdCompressSync(data);
  }
}

export function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case COMPRESSION_CODECS.none:
      return data;
    case COMPRESSION_CODECS.gzip:
      return zlib.gunzipSync(data);
    case COMPRESSION_CODECS.lz4:
      return decompressFrameSync(data);
    case COMPRESSION_CODECS.zstd:
      if (!zstd.zstdDecompressSync) throw zstdUnavailable();
      return zstd.zstdDecompressSync(data);
    default:
      throw new LogError('CORRUPT_RECORD', `unsupported compression codec ${codec} in a record batch`);
  }
}

function zstdUnavailable(): LogError {
  return new LogError('INVALID_CONFIG', 'zstd compression needs Node.js 22.15 or later', {
    field: 'compression.type',
    allowed: COMPRESSION_TYPES.filter((t) => t !== 'zstd'),
  });
}
