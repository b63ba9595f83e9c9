import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, parseConfig, type SourceOffsetChange } from '@sluice/connect-api';
import { checkPaths } from './confined-paths.js';
import { FINGERPRINT_BYTES, fingerprintOf } from './file-identity.js';
import { FileSourceConfig } from './file-source.config.js';
import { confine } from './path-confinement.js';
import { parseFileOffset, type FileOffset } from './tailed-file.js';

const INODE_NUMBER = /^\d+$/;

/**
 * Refuses offsets a file-source task could not resume from, as Kafka Connect's FileStreamSource
 * does in its alterOffsets: a task given such an offset would read the file again from its start.
 * An offset moved back by hand keeps its fingerprint (the task checks it over the bytes it
 * covers); when the file is still at the offset's `path`, the fingerprint is checked against it
 * here too. Null offsets (read the file again from its start) are always fine.
 */
export async function checkFileOffsets(
  config: Readonly<Record<string, string>>,
  changes: readonly SourceOffsetChange[],
): Promise<void> {
  const problems: string[] = [];
  const root = await folderOf(config);
  for (const [i, { partition, offset }] of changes.entries()) {
    const device = partition['device'];
    const inode = partition['inode'];
    if (!isInodeNumber(device) || !isInodeNumber(inode)) {
      problems.push(
        `offset ${i}: a file-source partition is {"device": "<digits>", "inode": "<digits>"} (as GET .../offsets shows), not ${JSON.stringify(partition)}`,
      );
      continue;
    }
    if (offset === null) continue;
    const parsed = parseFileOffset(offset);
    if (!parsed) {
      problems.push(
        `offset ${i}: a file-source offset has position, line, fingerprint and fingerprintBytes (take them from GET .../offsets), not ${JSON.stringify(offset)}`,
      );
    } else if (parsed.fingerprintBytes > FINGERPRINT_BYTES) {
      problems.push(`offset ${i}: fingerprintBytes ${parsed.fingerprintBytes} is over ${FINGERPRINT_BYTES}`);
    } else if (root !== null && typeof offset['path'] === 'string') {
      const problem = await fingerprintProblem(root, offset['path'], { device, inode }, parsed);
      if (problem) problems.push(`offset ${i}: ${problem}`);
    }
  }
  if (problems.length > 0) throw new DataError(problems.join('; '));
}

function isInodeNumber(v: unknown): v is string {
  return typeof v === 'string' && INODE_NUMBER.test(v);
}

/** The connector's folder (real path), or null when its config cannot tell. */
async function folderOf(config: Readonly<Record<string, string>>): Promise<string | null> {
  const parsed = parseConfig(FileSourceConfig, config);
  if (!parsed.ok) return null;
  return (
    (await checkPaths(config, [{ field: 'path', value: parsed.config.path }])).realPaths.get('path') ?? null
  );
}

/**
 * Why the fingerprint does not fit the file at `rel` (inside `root`), or null when it does or the
 * file there is another one (renamed since: the task finds it by its inode and checks then).
 */
async function fingerprintProblem(
  root: string,
  rel: string,
  id: { device: string; inode: string },
  offset: FileOffset,
): Promise<string | null> {
  const confined = await confine(join(root, rel), [root]);
  if (!confined.ok) return `path ${JSON.stringify(rel)} is outside the connector's folder`;
  let stats;
  try {
    stats = await lstat(confined.realPath, { bigint: true });
  } catch {
    return null;
  }
  if (!stats.isFile() || stats.dev.toString() !== id.device || stats.ino.toString() !== id.inode) return null;
  const handle = await open(confined.realPath, 'r');
  try {
    const head = Buffer.alloc(offset.fingerprintBytes);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (offset.position > stats.size || bytesRead < head.length)
      return `${rel} is shorter than the offset (${stats.size} bytes): its task would read it from the start`;
    if (fingerprintOf(head) !== offset.fingerprint)
      return `the fingerprint does not match the first ${offset.fingerprintBytes} bytes of ${rel}: keep the fingerprint and fingerprintBytes of an offset the connector committed for this file (GET .../offsets), changing only position and line`;
    return null;
  } finally {
    await handle.close();
  }
}
