import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ConnectError } from '@sluice/connect-api';

/**
 * The JSON a file of the sink's holds (`what` names its kind in errors), or null when there is no
 * file. A symbolic link is not followed, and what the file holds is never put in an error: a link
 * planted there could otherwise read any file the worker can, into logs and the REST API.
 */
export async function readJsonFile<T>(
  path: string,
  what: string,
  isShape: (value: unknown) => value is T,
): Promise<T | null> {
  let text: string;
  try {
    // O_NONBLOCK: a FIFO put there must not hang the open (it is then no regular file)
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) throw new ConnectError(`${what} ${path} is not a regular file`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP')
      throw new ConnectError(`${what} ${path} is a symbolic link, which is not followed: remove it`);
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConnectError(`${what} ${path} is not valid JSON`);
  }
  if (!isShape(value)) throw new ConnectError(`${what} ${path} has an unknown shape`);
  return value;
}
