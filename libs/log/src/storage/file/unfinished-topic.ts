import fs from 'node:fs';
import path from 'node:path';

/** What a topic's directory holds before its topic.json lands: partitions of segment files. */
const PARTITION_DIR = /^\d+$/;
const PARTITION_FILE = /^\d{20}\.(log|index|timeindex)(\.cleaned|\.swap)?$/;
const META_TEMP = 'topic.json.tmp';

/**
 * Whether a directory of the log without topic.json is what an interrupted topic creation leaves
 * (partition directories of segment files, or nothing), so it may be removed. Anything else is not
 * the log's: someone else's files under log.dir are never deleted.
 */
export async function isUnfinishedTopic(dir: string): Promise<boolean> {
  for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name === META_TEMP) continue;
    if (!entry.isDirectory() || !PARTITION_DIR.test(entry.name)) return false;
    for (const file of await fs.promises.readdir(path.join(dir, entry.name), { withFileTypes: true }))
      if (!file.isFile() || !PARTITION_FILE.test(file.name)) return false;
  }
  return true;
}
