import fs from 'node:fs';
import path from 'node:path';
import { LogError } from '../../errors.js';

/**
 * One process per log directory: two writers would interleave appends and corrupt segments. The
 * lock file holds the owner's pid; a lock left by a dead process (a crash) is taken over.
 */
export class LogDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string): LogDirLock {
    const file = path.join(dir, '.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return new LogDirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(fs.readFileSync(file, 'utf8'));
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
          throw new LogError(
            'STORAGE_ERROR',
            `log directory ${dir} is in use by process ${owner}`,
            { path: dir },
            { retriable: false },
          );
        }
        fs.rmSync(file, { force: true });
      }
    }
    throw new LogError('STORAGE_ERROR', `could not lock log directory ${dir}`, { path: dir });
  }

  release(): void {
    fs.rmSync(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
