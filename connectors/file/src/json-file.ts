import { readFile } from 'node:fs/promises';
import { ConnectError } from '@sluice/connect-api';

/** The JSON a file of the sink's holds (`what` names its kind in errors), or null when there is no file. */
export async function readJsonFile<T>(
  path: string,
  what: string,
  isShape: (value: unknown) => value is T,
): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConnectError(`${what} ${path} is not valid JSON`, { cause: err });
  }
  if (!isShape(value)) throw new ConnectError(`${what} ${path} has an unknown shape: ${text}`);
  return value;
}
