import type { BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';
import { FINGERPRINT_BYTES, fingerprintOf } from './file-identity.js';

/**
 * A file the source would not read (its csv header unusable, no permission, a link out of the
 * roots), as it was then: it is looked at again once it changed in a way that could fix it, and
 * not at every poll, which would only repeat the warning. Appending leaves it rejected; a new
 * file (birth time), new permissions, a shorter file or other first bytes (a header fixed in
 * place, even at the same size) do not.
 */
export interface RejectedFile {
  readonly born: bigint;
  readonly mode: bigint;
  readonly size: bigint;
  /** The fingerprint of its first bytes, when they were read (not through a link out of the roots). */
  readonly head: { readonly bytes: number; readonly fingerprint: string } | null;
}

/** A rejected file that is no longer there: whatever comes to its place is looked at. */
export const GONE: RejectedFile = { born: -1n, mode: -1n, size: 0n, head: null };

/** `stats` of the file at `path`, with its first bytes' fingerprint when `readHead` allows reading it. */
export async function rejectedFile(
  path: string,
  stats: BigIntStats,
  readHead: boolean,
): Promise<RejectedFile> {
  const bytes = Number(stats.size < BigInt(FINGERPRINT_BYTES) ? stats.size : BigInt(FINGERPRINT_BYTES));
  const fingerprint = readHead ? await headFingerprint(path, bytes) : null;
  return {
    born: stats.birthtimeNs,
    mode: stats.mode,
    size: stats.size,
    head: fingerprint === null ? null : { bytes, fingerprint },
  };
}

/** Whether the file at `path`, now as `stats` says, is still the one rejected. */
export async function stillRejected(
  rejected: RejectedFile | undefined,
  path: string,
  stats: BigIntStats,
): Promise<boolean> {
  if (
    rejected === undefined ||
    rejected.born !== stats.birthtimeNs ||
    rejected.mode !== stats.mode ||
    stats.size < rejected.size
  )
    return false;
  if (rejected.head === null) return true;
  const now = await headFingerprint(path, rejected.head.bytes);
  return now === null || now === rejected.head.fingerprint;
}

async function headFingerprint(path: string, bytes: number): Promise<string | null> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(head, 0, bytes, 0);
      return fingerprintOf(head.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}
