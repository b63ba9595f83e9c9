import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { ConnectError, type TopicPartition } from '@sluice/connect-api';
import { createFileExclusive, writeFileAtomic } from './atomic-file.js';
import type { SinkFormat } from './file-sink.config.js';
import { claimFileTopicPartition } from './output-file-names.js';
import { partitionFilesIn } from './partition-files-in.js';
import { readJsonFile } from './json-file.js';

/**
 * The writer (PartitionFileWriter) that holds a topic-partition's files: two sinks writing them
 * would double and lose lines. The claim file exists while a task writes the partition and is
 * removed when the task stops writing it (close, stop), so a connector whose path changed, or that
 * was stopped or deleted, leaves no claim behind. Between connectors only creating the file
 * decides, and that is atomic: of two opening the partition at once, one wins. A task that dies
 * leaves its claim, as nothing tells whether it still writes: its own connector, whose consumer
 * group gives a partition to one of its tasks at a time, takes the claim over; deleting that
 * connector removes it.
 */
export interface SinkClaim {
  readonly connector: string;
  /** Random per writer: tells a writer's claim from a successor's of the same connector. */
  readonly token: string;
}

/**
 * Why `connector` may not write the files that the claim at `path` gives `owner` (or, `legacy`, the
 * state file of an earlier version at `path`), and the way out when `owner` no longer writes there.
 */
export function ownedByOther(path: string, owner: string, connector: string, legacy = false): string {
  const stale = legacy
    ? `set "connector": null in ${path} if ${JSON.stringify(owner)} no longer writes this folder (a claim of an earlier version)`
    : `remove ${path} if ${JSON.stringify(owner)} no longer writes this folder (its task died and its path changed since)`;
  return `${path} belongs to file-sink connector ${JSON.stringify(owner)}, not ${JSON.stringify(connector)}: two sinks writing one topic-partition's files would double and lose lines; give each its own path, or stop or delete connector ${JSON.stringify(owner)} first, or ${stale}`;
}

export function readSinkClaim(path: string): Promise<SinkClaim | null> {
  return readJsonFile(path, 'sink claim file', isSinkClaim);
}

/**
 * A new writer's claim at `path` for `connector`: created, or taken over from an earlier writer of
 * the same connector (`replaced`), whose task died or is being replaced. Another connector's claim
 * is refused.
 */
export async function claimPartition(
  path: string,
  connector: string,
): Promise<{ claim: SinkClaim; replaced: SinkClaim | null }> {
  const claim: SinkClaim = { connector, token: randomUUID() };
  for (;;) {
    if (await createFileExclusive(path, claimText(claim))) return { claim, replaced: null };
    const held = await readSinkClaim(path);
    if (held === null) continue; // released since the attempt: try again
    if (held.connector !== connector) throw new ConnectError(ownedByOther(path, held.connector, connector));
    // Not one step with the read: were the replaced task to let go in between and another connector
    // claim the files, that connector's commits would fail (checkSinkClaim). That too needs the
    // group to hand the partition on before the replaced task has let go of it.
    await writeFileAtomic(path, claimText(claim), `${path}.${claim.token}.tmp`);
    return { claim, replaced: held };
  }
}

/**
 * Throws unless `claim` still holds the files (`what` names them): a writer whose files were taken
 * over must not write its state over its successor's.
 */
export async function checkSinkClaim(path: string, claim: SinkClaim, what: string): Promise<void> {
  const held = await readSinkClaim(path);
  if (held?.token === claim.token) return;
  const taken =
    held === null
      ? `its claim ${path} is gone (removed by hand, or the connector was deleted)`
      : `they were taken over by ${held.connector === claim.connector ? 'another task of ' : ''}file-sink connector ${JSON.stringify(held.connector)} (${path})`;
  throw new ConnectError(
    `this task no longer writes ${what}: ${taken}; it commits nothing more to them, and whoever writes them next goes on from their last commit`,
  );
}

/** Removes the claim at `path` if it still is `claim`: a successor's stays. */
export async function releaseSinkClaim(path: string, claim: SinkClaim): Promise<void> {
  // Not atomic: a successor taking over between the read and the unlink would lose its claim. That
  // needs the group to hand the partition on before this task has let go of it, and the successor's
  // next commit then fails (checkSinkClaim) instead of writing over anything.
  if ((await readSinkClaim(path))?.token === claim.token) await removeFile(path);
}

/** The claim files of `format` in `dir`, with their topic-partitions (none when `dir` is missing). */
export async function sinkClaimsIn(
  dir: string,
  format: SinkFormat,
): Promise<{ path: string; tp: TopicPartition; claim: SinkClaim }[]> {
  const files = await partitionFilesIn(dir, (name) => claimFileTopicPartition(name, format), readSinkClaim);
  return files.map(({ path, tp, content }) => ({ path, tp, claim: content }));
}

/**
 * Removes `connector`'s claims in `dir` (it is being deleted, its tasks stopped). Stopped tasks
 * removed theirs already: these are left by tasks that died.
 */
export async function removeSinkClaims(dir: string, format: SinkFormat, connector: string): Promise<void> {
  for (const { path, claim } of await sinkClaimsIn(dir, format))
    if (claim.connector === connector) await removeFile(path);
}

function claimText(claim: SinkClaim): string {
  return `${JSON.stringify({ connector: claim.connector, token: claim.token })}\n`;
}

function isSinkClaim(v: unknown): v is SinkClaim {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c['connector'] === 'string' && typeof c['token'] === 'string';
}

async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
