import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { confine, isInside, parseRoots, realPathOf } from './path-confinement.js';
import { tempDir } from './testing/temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('path confinement', () => {
  it('compares whole path segments', () => {
    expect(isInside('/data', '/data')).toBe(true);
    expect(isInside('/data/in', '/data')).toBe(true);
    expect(isInside('/data-other', '/data')).toBe(false);
    expect(isInside('/data/..x', '/data')).toBe(true);
    expect(isInside('/', '/data')).toBe(false);
  });

  it('parses comma-separated roots', () => {
    expect(parseRoots(' /a , /b/c ,')).toEqual(['/a', '/b/c']);
    expect(parseRoots(undefined)).toEqual([]);
  });

  it('resolves symlinks, also above paths that do not exist yet', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const { dir: other, cleanup: cleanOther } = await tempDir();
    cleanups.push(cleanOther);
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'link'));
    await symlink(other, join(dir, 'away'));
    expect(await realPathOf(join(dir, 'link', 'new', 'deeper'))).toBe(join(dir, 'real', 'new', 'deeper'));
    expect(await confine(join(dir, 'link', 'new'), [dir])).toEqual({
      ok: true,
      realPath: join(dir, 'real', 'new'),
    });
    expect(await confine(join(dir, 'away', 'new'), [dir])).toMatchObject({ ok: false });
    expect(await confine(join(dir, 'x', '..', '..'), [dir])).toMatchObject({ ok: false });
    expect(await confine(dir, [])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/allows no file access: set files.roots/),
    });
  });
});
