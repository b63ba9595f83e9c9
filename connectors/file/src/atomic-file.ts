import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** O_NOFOLLOW: a symlink planted at one of our names must not redirect a write outside the folder. */
export const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new content, never a
 * mix: write a temp file, fsync it, rename it over the target, fsync the directory (which makes
 * the rename itself durable). Writers that may race on one path each need a `temp` of their own.
 */
export async function writeFileAtomic(path: string, data: string, temp = `${path}.tmp`): Promise<void> {
  await writeDurableTemp(temp, data);
  await rename(temp, path);
  await fsyncDirectory(dirname(path));
}

/**
 * Creates `path` with `data` unless it exists, as atomically as writeFileAtomic: the temp file is
 * linked to the name, which fails when the name is taken. Returns false when it was.
 */
export async function createFileExclusive(path: string, data: string): Promise<boolean> {
  // a name of its own: two racing creators must not write, link or remove each other's temp file
  const temp = await writeDurableTemp(`${path}.${randomUUID()}.tmp`, data);
  try {
    await link(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    await unlink(temp);
  }
  await fsyncDirectory(dirname(path));
  return true;
}

/** `data` in the file `temp`, fsynced; returns its name. */
async function writeDurableTemp(temp: string, data: string): Promise<string> {
  const handle = await open(temp, CREATE_FLAGS | constants.O_TRUNC, 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/** fsync by path: of a file, its bytes; of a directory, its entries (names made or removed). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function fsyncDirectory(dir: string): Promise<void> {
  return fsyncPath(dir);
}
