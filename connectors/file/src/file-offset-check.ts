import { DataError, type SourceOffsetChange } from '@sluice/connect-api';
import { parseFileOffset } from './tailed-file.js';

const INODE_NUMBER = /^\d+$/;

/**
 * Refuses offsets a file-source task could not resume from, as Kafka Connect's FileStreamSource
 * does in its alterOffsets: a task given such an offset would only log that it reads the file
 * from its start. Null offsets (read the file again from its start) are always fine.
 */
export function checkFileOffsets(changes: readonly SourceOffsetChange[]): void {
  const problems: string[] = [];
  changes.forEach(({ partition, offset }, i) => {
    const device = partition['device'];
    const inode = partition['inode'];
    if (
      typeof device !== 'string' ||
      !INODE_NUMBER.test(device) ||
      typeof inode !== 'string' ||
      !INODE_NUMBER.test(inode)
    ) {
      problems.push(
        `offset ${i}: a file-source partition is {"device": "<digits>", "inode": "<digits>"} (as GET .../offsets shows), not ${JSON.stringify(partition)}`,
      );
      return;
    }
    if (offset === null) return;
    const parsed = parseFileOffset(offset);
    if (!parsed) {
      problems.push(
        `offset ${i}: a file-source offset has position, line, fingerprint and fingerprintBytes (take them from GET .../offsets), not ${JSON.stringify(offset)}`,
      );
    } else if (parsed.fingerprintBytes > parsed.position) {
      problems.push(
        `offset ${i}: fingerprintBytes ${parsed.fingerprintBytes} is past position ${parsed.position}, so the file could not be recognised there; to go back, use an offset the connector committed at or before that position, or a null offset to read the file from its start`,
      );
    }
  });
  if (problems.length > 0) throw new DataError(problems.join('; '));
}
