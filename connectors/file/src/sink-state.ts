import { readFile } from 'node:fs/promises';
import { ConnectError } from '@sluice/connect-api';
import { writeFileAtomic } from './atomic-file.js';

/**
 * What the sink has committed for one topic-partition, kept next to its files. The state file is
 * the truth: the active file's bytes past `position` were written after the last commit and are
 * cut off on open, and consumption resumes at `offset`, so each record lands in the files once.
 */
export interface SinkState {
  readonly version: 1;
  /**
   * The next log offset to write (everything before it is in the files, or was skipped); null
   * after the connector's offsets were reset: consumption starts where the runtime's say.
   */
  readonly offset: number | null;
  /** Committed length of the active file in bytes. */
  readonly position: number;
  /** Log offset of the active file's first record (meaningful while position > 0). */
  readonly startOffset: number;
  /** When the active file's first line was written (ms since epoch), for roll.interval.ms. */
  readonly createdAt: number | null;
  /** csv: the columns of the active file's header. */
  readonly columns: readonly string[] | null;
}

export async function readSinkState(path: string): Promise<SinkState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (err) {
    throw new ConnectError(`sink state file ${path} is not valid JSON`, { cause: err });
  }
  if (!isSinkState(state)) throw new ConnectError(`sink state file ${path} has an unknown shape: ${text}`);
  return state;
}

export function writeSinkState(path: string, state: SinkState): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(state)}\n`);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isSinkState(v: unknown): v is SinkState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    s['version'] === 1 &&
    (s['offset'] === null || isCount(s['offset'])) &&
    isCount(s['position']) &&
    isCount(s['startOffset']) &&
    (s['createdAt'] === null || isCount(s['createdAt'])) &&
    (s['columns'] === null ||
      (Array.isArray(s['columns']) && s['columns'].every((c) => typeof c === 'string')))
  );
}

/**
 * Sets the offsets in the state files of these partitions (Kafka Connect's alterOffsets, the
 * connector STOPPED): a state file wins over the runtime's committed offsets when its task opens
 * the partition, so without this a PATCH or DELETE of the offsets would be undone. Partitions
 * without a state file are left to the runtime's offsets. Returns whether any file changed.
 */
export async function alterSinkStates(
  changes: readonly { statePath: string; offset: number | null }[],
): Promise<boolean> {
  let changed = false;
  for (const { statePath, offset } of changes) {
    const state = await readSinkState(statePath);
    if (state === null) continue;
    await writeSinkState(statePath, { ...state, offset });
    changed = true;
  }
  return changed;
}
