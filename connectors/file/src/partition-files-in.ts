import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopicPartition } from '@sluice/connect-api';

/**
 * The files of `dir` whose names `partitionOf` reads a topic-partition from, with what `read`
 * finds in each (files it finds nothing in left out); none when `dir` is missing. In name order.
 */
export async function partitionFilesIn<T>(
  dir: string,
  partitionOf: (name: string) => TopicPartition | null,
  read: (path: string) => Promise<T | null>,
): Promise<{ path: string; tp: TopicPartition; content: T }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: { path: string; tp: TopicPartition; content: T }[] = [];
  for (const name of names.sort()) {
    const tp = partitionOf(name);
    if (!tp) continue;
    const path = join(dir, name);
    const content = await read(path);
    if (content !== null) out.push({ path, tp, content });
  }
  return out;
}
