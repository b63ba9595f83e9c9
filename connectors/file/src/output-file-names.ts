import type { TopicPartition } from '@sluice/connect-api';
import type { SinkFormat } from './file-sink.config.js';

/*
 * The sink's files, per topic-partition, in the sink's `path`:
 *
 *   <topic>-<partition>.<ext>                     the active file, appended to
 *   <topic>-<partition>-<startOffset>.<ext>       a rolled file: startOffset is the log offset of
 *                                                 its first record, zero-padded to 20 digits so
 *                                                 names sort in offset order (as Kafka's segments)
 *   .<topic>-<partition>.<ext>.sluice-state       what is committed: see sink-state.ts
 *   .<topic>-<partition>.<ext>.sluice-claim       which writer holds the files: see sink-claim.ts
 *
 * ext is jsonl, csv or txt. Characters of a topic outside [A-Za-z0-9._-] become `_`.
 */

const EXTENSIONS: Record<SinkFormat, string> = { jsonl: 'jsonl', csv: 'csv', text: 'txt' };

function baseName(tp: TopicPartition): string {
  return `${tp.topic.replace(/[^A-Za-z0-9._-]/g, '_')}-${tp.partition}`;
}

export function activeFileName(tp: TopicPartition, format: SinkFormat): string {
  return `${baseName(tp)}.${EXTENSIONS[format]}`;
}

export function rolledFileName(tp: TopicPartition, format: SinkFormat, startOffset: number): string {
  return `${baseName(tp)}-${String(startOffset).padStart(20, '0')}.${EXTENSIONS[format]}`;
}

export function stateFileName(tp: TopicPartition, format: SinkFormat): string {
  return `.${activeFileName(tp, format)}.sluice-state`;
}

export function claimFileName(tp: TopicPartition, format: SinkFormat): string {
  return `.${activeFileName(tp, format)}.sluice-claim`;
}

/** The topic-partition of a state file's name for `format` (topic as in file names), or null. */
export function stateFileTopicPartition(name: string, format: SinkFormat): TopicPartition | null {
  return hiddenFileTopicPartition(name, format, 'sluice-state');
}

/** The topic-partition of a claim file's name for `format` (topic as in file names), or null. */
export function claimFileTopicPartition(name: string, format: SinkFormat): TopicPartition | null {
  return hiddenFileTopicPartition(name, format, 'sluice-claim');
}

function hiddenFileTopicPartition(
  name: string,
  format: SinkFormat,
  suffix: 'sluice-state' | 'sluice-claim',
): TopicPartition | null {
  const match = /^\.(.+)-(\d+)\.([a-z]+)\.(sluice-[a-z]+)$/.exec(name);
  if (!match || match[3] !== EXTENSIONS[format] || match[4] !== suffix) return null;
  return { topic: match[1]!, partition: Number(match[2]) };
}

/**
 * Where an active file found without a state file is moved: hidden like the state file, so globs
 * over the output see no duplicates, and stamped, so two of them never clash.
 */
export function unconfirmedFileName(tp: TopicPartition, format: SinkFormat, at: Date): string {
  return `.${activeFileName(tp, format)}.unconfirmed-${at.toISOString().replace(/[:.]/g, '-')}`;
}
