import { constants } from 'node:fs';
import { copyFile, link, mkdir, stat, unlink } from 'node:fs/promises';
import { dirname, extname } from 'node:path';

/**
 * Moves a file to `to` without ever replacing an existing file: if `to` is taken the name gets a
 * counter (`a.jsonl` → `a.1.jsonl`). Returns where the file went. On one file system this is a
 * hard link plus unlink, so the file keeps its inode (and its committed source offsets, should it
 * ever be moved back); across file systems it is copied, then removed.
 */
export async function moveWithoutOverwrite(from: string, to: string): Promise<string> {
  await mkdir(dirname(to), { recursive: true });
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
        throw copyErr;
      }
    }
    await unlink(from);
    return target;
  }
}

function withCounter(path: string, n: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.${n}${ext}`;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a, { bigint: true }), stat(b, { bigint: true })]);
  return sa.dev === sb.dev && sa.ino === sb.ino;
}
