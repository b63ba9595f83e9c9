import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, realpath, rm, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fsyncDirectory, fsyncPath } from './atomic-file.js';
import { isInside, realPathOf } from './path-confinement.js';

/**
 * Moves a file to `to` without ever replacing an existing file: if `to` is taken the name gets a
 * counter (`a.jsonl` → `a.1.jsonl`). Returns where the file went. On one file system this is a
 * hard link plus unlink, so the file keeps its inode (and its committed source offsets, should it
 * ever be moved back); across file systems it is copied, then removed. `to` must stay inside the
 * real folder `within` once symbolic links are resolved, before its folders are made and after.
 */
export async function moveWithoutOverwrite(from: string, to: string, within: string): Promise<string> {
  const folder = dirname(to);
  if (!isInside(await realPathOf(folder), within)) throw outside(folder, within);
  await mkdir(folder, { recursive: true });
  const realFolder = await realpath(folder);
  if (!isInside(realFolder, within)) throw outside(folder, within);
  to = join(realFolder, basename(to));
  // a file moved onto itself would be found at both names, as after a crash, and unlinked
  if (join(await realpath(dirname(from)), basename(from)) === to)
    throw new Error(`${from} is already where it would be moved (${to}): the file stays where it is`);
  for (let n = 0; ; n++) {
    const target = n === 0 ? to : withCounter(to, n);
    try {
      await link(from, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        // A crash between link and unlink leaves the file at both names: finish that move.
        if (await sameFile(from, target)) {
          await unlink(from);
          return target;
        }
        continue;
      }
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
      try {
        await copyFile(from, target, constants.COPYFILE_EXCL);
      } catch (copyErr) {
        if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') continue;
        // a partial copy is not the file
        await rm(target, { force: true }).catch(() => undefined);
        throw copyErr;
      }
      // the copy is durable before the original goes: a power cut must not lose both
      await fsyncPath(target);
      await fsyncDirectory(dirname(target));
    }
    await unlink(from);
    return target;
  }
}

function outside(folder: string, within: string): Error {
  return new Error(`${folder} leads outside ${within} (through a symbolic link): the file stays where it is`);
}

function withCounter(path: string, n: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.${n}${ext}`;
}

/** The same inode at both names; a symbolic link at one of them is not the file it points at. */
async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([lstat(a, { bigint: true }), lstat(b, { bigint: true })]);
  return sa.dev === sb.dev && sa.ino === sb.ino;
}
