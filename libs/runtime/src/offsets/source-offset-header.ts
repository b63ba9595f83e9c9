/**
 * The header that makes source delivery exactly-once: the last record of each source partition in
 * every batch the runtime writes carries that partition's offset. A batch is durable all or
 * nothing, so after a crash the log itself says how far each source partition got, even where
 * the offset commit did not happen yet.
 */
export const SOURCE_OFFSET_HEADER = '__sluice.source.offset';

/** Headers the runtime adds for itself; sink tasks do not see them. */
export const RUNTIME_HEADER_PREFIX = '__sluice.';

export interface SourceOffsetMark {
  /** connector */
  c: string;
  /** task */
  t: number;
  /** source partition */
  p: Record<string, unknown>;
  /** source offset */
  o: Record<string, unknown>;
}
