import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';

/*
 * A file is known by its device and inode, not its name: a rename (log rotation) keeps both, so
 * offsets follow the file to its new name. Inodes are 64-bit, hence strings (bigint stat).
 *
 * An inode can be reused once its file is deleted. A fingerprint of the file's first bytes, kept
 * in each source offset, tells a reused inode from the file the offset was written for. It lives
 * in the offset rather than the partition because the partition must be fixed from the first
 * record on, while a young file's first bytes are still arriving: the fingerprint covers the
 * first min(FINGERPRINT_BYTES, position) bytes, all of them already read when the offset is made.
 */

export interface FileIdentity {
  readonly device: string;
  readonly inode: string;
}

/** Bytes of a file's head covered by the fingerprint. */
export const FINGERPRINT_BYTES = 1024;

export function identityOf(stats: BigIntStats): FileIdentity {
  return { device: stats.dev.toString(), inode: stats.ino.toString() };
}

export function identityKey(id: FileIdentity): string {
  return `${id.device}:${id.inode}`;
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.device === b.device && a.inode === b.inode;
}

/** The source partition of a file's records. */
export function sourcePartitionOf(id: FileIdentity): Readonly<Record<string, string>> {
  return Object.freeze({ device: id.device, inode: id.inode });
}

export function fingerprintOf(head: Buffer): string {
  return createHash('sha256').update(head).digest('hex').slice(0, 32);
}

/**
 * Which of `taskCount` tasks reads the file (FNV-1a over the identity): stable across renames and
 * restarts, so a file never moves between tasks while the task count stays the same.
 */
export function ownerTaskOf(id: FileIdentity, taskCount: number): number {
  let hash = 0x811c9dc5;
  const key = identityKey(id);
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % Math.max(1, taskCount);
}
