import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectError, DataError, type TopicPartition } from '@sluice/connect-api';
import { createFileExclusive, writeFileAtomic } from './atomic-file.js';
import type { SinkFormat } from './file-sink.config.js';
import { stateFileTopicPartition } from './output-file-names.js';

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
  /**
   * The connector these files belong to: two sinks writing one partition's files would double
   * and lose lines, so another is refused. Null once that connector was deleted (the next one to
   * open the partition takes the files over); absent in state files of earlier versions.
   */
  readonly connector?: string | null;
  /**
   * The ID of the topic `offset` counts records of (SinkTaskContext.topicId): another ID means the
   * topic was deleted and created again, and the offset is the old topic's. Absent in state files
   * of earlier versions.
   */
  readonly topicId?: string | null;
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

/** Writes a state file unless one exists, atomically: false when one was there. */
export function createSinkState(path: string, state: SinkState): Promise<boolean> {
  return createFileExclusive(path, `${JSON.stringify(state)}\n`);
}

/** Why `connector` may not write the files that the state at `path` belongs to. */
export function ownedByOther(path: string, owner: string, connector: string): string {
  return `${path} belongs to file-sink connector ${JSON.stringify(owner)}, not ${JSON.stringify(connector)}: two sinks writing one topic-partition's files would double and lose lines; give each its own path, or delete connector ${JSON.stringify(owner)} first`;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isOptionalText(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string';
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
      (Array.isArray(s['columns']) && s['columns'].every((c) => typeof c === 'string'))) &&
    isOptionalText(s['connector']) &&
    isOptionalText(s['topicId'])
  );
}

/**
 * Sets the offsets in the state files of these partitions (Kafka Connect's alterOffsets, the
 * connector STOPPED): a state file wins over the runtime's committed offsets when its task opens
 * the partition, so without this a PATCH or DELETE of the offsets would be undone. Partitions
 * without a state file are left to the runtime's offsets. Returns whether any file changed.
 */
export async function alterSinkStates(
  connector: string | undefined,
  changes: readonly { statePath: string; offset: number | null }[],
): Promise<boolean> {
  const states: { statePath: string; state: SinkState; offset: number | null }[] = [];
  for (const { statePath, offset } of changes) {
    const state = await readSinkState(statePath);
    if (state === null) continue;
    if (state.connector && connector !== undefined && state.connector !== connector)
      throw new DataError(ownedByOther(statePath, state.connector, connector));
    states.push({ statePath, state, offset });
  }
  for (const { statePath, state, offset } of states) await writeSinkState(statePath, { ...state, offset });
  return states.length > 0;
}

/** The state files of `format` in `dir`, with their topic-partitions (none when `dir` is missing). */
export async function sinkStatesIn(
  dir: string,
  format: SinkFormat,
): Promise<{ path: string; tp: TopicPartition; state: SinkState }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: { path: string; tp: TopicPartition; state: SinkState }[] = [];
  for (const name of names.sort()) {
    const tp = stateFileTopicPartition(name, format);
    if (!tp) continue;
    const state = await readSinkState(join(dir, name));
    if (state) out.push({ path: join(dir, name), tp, state });
  }
  return out;
}

/**
 * Gives up `connector`'s partitions in `dir` (it is being deleted): the next sink to open one
 * takes its files over and goes on after its offset.
 */
export async function releaseSinkStates(dir: string, format: SinkFormat, connector: string): Promise<void> {
  for (const { path, state } of await sinkStatesIn(dir, format))
    if (state.connector === connector) await writeSinkState(path, { ...state, connector: null });
}
