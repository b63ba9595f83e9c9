import type { SnapshotMode } from './postgres-source.config.js';
import type { ParsedOffset } from './source-offset.js';

/**
 * What a starting task does before streaming, from snapshot.mode, the committed offset and whether
 * the slot exists:
 *
 *   fresh      read every captured table (a new snapshot state)
 *   resume     carry on with an unfinished snapshot from the table and key the offset names
 *   none       stream only
 *
 * and whether streaming follows (not with initial_only). A snapshot reads in a snapshot exported
 * where the stream starts (a new slot) or at a later point (a temporary slot beside the existing
 * one); see source-offset.ts for why both are exact.
 */
export interface StartPlan {
  readonly snapshot: 'fresh' | 'resume' | 'none';
  readonly stream: boolean;
  /** Why changes may have been missed (the slot vanished under a committed offset), for a warning. */
  readonly gap: string | null;
}

export function planStart(mode: SnapshotMode, offset: ParsedOffset | null, slotExists: boolean): StartPlan {
  const stream = mode !== 'initial_only';
  const unfinished = offset?.snapshot !== null && offset?.snapshot !== undefined && !offset.snapshot.done;
  const lost =
    offset !== null && !slotExists
      ? 'the replication slot is gone although the connector has a committed offset: changes since that offset cannot be read'
      : null;
  switch (mode) {
    case 'no_data':
    case 'never':
      return { snapshot: 'none', stream, gap: lost };
    case 'always':
      return { snapshot: 'fresh', stream, gap: null };
    case 'when_needed':
      if (offset === null || !slotExists) return { snapshot: 'fresh', stream, gap: null };
      return { snapshot: unfinished ? 'resume' : 'none', stream, gap: null };
    case 'initial_only':
      // it keeps no slot (its snapshot reads through a temporary one): none is ever lost
      if (offset === null) return { snapshot: 'fresh', stream, gap: null };
      return { snapshot: unfinished ? 'resume' : 'none', stream, gap: null };
    case 'initial':
      if (offset === null) return { snapshot: 'fresh', stream, gap: null };
      if (unfinished) return { snapshot: slotExists ? 'resume' : 'fresh', stream, gap: null };
      return { snapshot: 'none', stream, gap: lost };
  }
}
