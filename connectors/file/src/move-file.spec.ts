import { afterEach, describe, expect, it } from '@jest/globals';
import { link, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { moveWithoutOverwrite } from './move-file.js';
import { tempDir } from './testing/temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function folders(): Promise<{ input: string; done: string }> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const input = join(dir, 'in');
  const done = join(dir, 'done');
  await mkdir(input);
  await mkdir(done);
  return { input, done };
}

describe('moveWithoutOverwrite', () => {
  it('moves a file, to a name with a counter when its own is taken', async () => {
    const { input, done } = await folders();
    await writeFile(join(done, 'a.log'), 'older');
    await writeFile(join(input, 'a.log'), 'newer');
    const to = await moveWithoutOverwrite(join(input, 'a.log'), join(done, 'a.log'), done);
    expect(to).toBe(join(done, 'a.1.log'));
    expect(await readFile(to, 'utf8')).toBe('newer');
    expect(await readFile(join(done, 'a.log'), 'utf8')).toBe('older');
    expect(await readdir(input)).toEqual([]);
  });

  it('finishes a move a crash left at both names', async () => {
    const { input, done } = await folders();
    await writeFile(join(input, 'a.log'), 'lines');
    await link(join(input, 'a.log'), join(done, 'a.log'));
    expect(await moveWithoutOverwrite(join(input, 'a.log'), join(done, 'a.log'), done)).toBe(
      join(done, 'a.log'),
    );
    expect(await readdir(input)).toEqual([]);
  });

  it('does not take a symbolic link to the file, planted at its new name, for the file', async () => {
    const { input, done } = await folders();
    await writeFile(join(input, 'a.log'), 'lines');
    await symlink(join(input, 'a.log'), join(done, 'a.log'));
    const to = await moveWithoutOverwrite(join(input, 'a.log'), join(done, 'a.log'), done);
    expect(to).toBe(join(done, 'a.1.log'));
    expect(await readFile(to, 'utf8')).toBe('lines');
  });

  it('refuses to move a file onto itself, and keeps it', async () => {
    const { input } = await folders();
    await writeFile(join(input, 'a.log'), 'lines');
    await expect(moveWithoutOverwrite(join(input, 'a.log'), join(input, 'a.log'), input)).rejects.toThrow(
      /already where it would be moved/,
    );
    expect(await readFile(join(input, 'a.log'), 'utf8')).toBe('lines');
  });
});
