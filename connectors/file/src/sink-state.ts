import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DataError, type TopicPartition } from '@sluice/connect-api';
import { writeFileAtomic } from './atomic-file.js';
import type { SinkFormat } from './file-sink.config.js';
import { claimFileName, stateFileName, stateFileTopicPartition } from './output-file-names.js';
import { partitionFilesIn } from './partition-files-in.js';
import { ownedByOther, readSinkClaim } from './sink-claim.js';
import { readJsonFile } from './json-file.js';

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
   * Legacy: earlier versions claimed the files here, for the connector's whole life (null once it
   * was deleted). Such a claim is still honoured where no claim file is (see sink-claim.ts), until
   * that connector opens the partition again, which moves it to a claim file. Not written any more.
   */
  readonly connector?: string | null;
  /**
   * The ID of the topic `offset` counts records of (SinkTaskContext.topicId): another ID means the
   * topic was deleted and created again, and the offset is the old topic's. Absent in state files
   * of earlier versions.
   */
  readonly topicId?: string | null;
}

export function readSinkState(path: string): Promise<SinkState | null> {
  return readJsonFile(path, 'sink state file', isSinkState);
}

export function writeSinkState(path: string, state: SinkState): Promise<void> {
  // a temp file of its own: two writers (a task and an offsets change, or a task and a stale one)
  // sharing one would truncate and rename each other's half-written state
  return writeFileAtomic(path, `${JSON.stringify(state)}\n`, `${path}.${randomUUID()}.tmp`);
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
  dir: string,
  format: SinkFormat,
  connector: string | undefined,
  changes: readonly { tp: TopicPartition; offset: number | null }[],
): Promise<boolean> {
  const states: { statePath: string; state: SinkState; offset: number | null }[] = [];
  for (const { tp, offset } of changes) {
    const statePath = join(dir, stateFileName(tp, format));
    const state = await readSinkState(statePath);
    if (state === null) continue;
    const claimPath = join(dir, claimFileName(tp, format));
    const claim = await readSinkClaim(claimPath);
    if (claim && connector !== undefined && claim.connector !== connector)
      throw new DataError(ownedByOther(claimPath, claim.connector, connector));
    if (!claim && state.connector && connector !== undefined && state.connector !== connector)
      throw new DataError(ownedByOther(statePath, state.connector, connector, true));
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
  const files = await partitionFilesIn(dir, (name) => stateFileTopicPartition(name, format), readSinkState);
  return files.map(({ path, tp, content }) => ({ path, tp, state: content }));
}

/** Clears the legacy claims (SinkState.connector) of `connector` in `dir`: it is being deleted. */
export async function releaseLegacySinkStates(
  dir: string,
  format: SinkFormat,
  connector: string,
): Promise<void> {
  for (const { path, state } of await sinkStatesIn(dir, format))
    if (state.connector === connector) await writeSinkState(path, { ...state, connector: null });
}
