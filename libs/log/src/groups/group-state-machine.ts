/*
 * The classic group life cycle (Kafka's GroupMetadata states), as pure transitions. The
 * coordinator keeps the members, waiters and timers; this file only says which state follows which.
 *
 *                      member joins / rejoins with new metadata / leader rejoins,
 *                      member leaves or expires (others remain)
 *                   ┌──────────────────────────────────────────┬─────────────────────┐
 *                   ▼                                          │                     │
 *  ┌───────┐ join ┌────────────────────┐ all rejoined ┌─────────────────────┐ leader ┌────────┐
 *  │ Empty │─────►│ PreparingRebalance │─────────────►│ CompletingRebalance │───────►│ Stable │
 *  └───────┘      └────────────────────┘ or deadline  └─────────────────────┘ synced └────────┘
 *    ▲  │                  │      (generation + 1)              │                        │
 *    │  │                  └───────────── last member gone (generation + 1) ─────────────┤
 *    └──┼────────────────────────────────────────────────────────────────────────────────┘
 *       │ forgotten (no members, no offsets) or coordinator closed; closing reaches Dead from any state
 *       ▼
 *   ┌──────┐
 *   │ Dead │  final
 *   └──────┘
 *
 * The generation counts completed join phases. PreparingRebalance keeps the previous generation,
 * so the members of that generation may still heartbeat (and learn of the rebalance) and commit.
 */

export type GroupPhase =
  | { readonly kind: 'Empty'; readonly generationId: number }
  | { readonly kind: 'PreparingRebalance'; readonly generationId: number }
  | {
      readonly kind: 'CompletingRebalance';
      readonly generationId: number;
      readonly leaderId: string;
      readonly protocolName: string;
    }
  | {
      readonly kind: 'Stable';
      readonly generationId: number;
      readonly leaderId: string;
      readonly protocolName: string;
    }
  | { readonly kind: 'Dead'; readonly generationId: number };

export type GroupEvent =
  /** A member joins, or rejoins in a way that needs new assignments. */
  | { readonly type: 'memberJoining' }
  /** The join phase ended with at least one member. */
  | { readonly type: 'joinCompleted'; readonly leaderId: string; readonly protocolName: string }
  | { readonly type: 'leaderSynced' }
  /** A member left, expired or missed the join phase; `remaining` members are left. */
  | { readonly type: 'memberRemoved'; readonly remaining: number }
  /** No members and no offsets: the group is dropped. */
  | { readonly type: 'forgotten' }
  | { readonly type: 'closed' };

export const INITIAL_GROUP_PHASE: GroupPhase = { kind: 'Empty', generationId: 0 };

/** The state after `event`, or undefined when the event cannot happen in `phase`. */
export function nextGroupPhase(phase: GroupPhase, event: GroupEvent): GroupPhase | undefined {
  const generationId = phase.generationId;
  if (event.type === 'closed') return { kind: 'Dead', generationId };
  switch (phase.kind) {
    case 'Empty':
      if (event.type === 'memberJoining') return { kind: 'PreparingRebalance', generationId };
      if (event.type === 'forgotten') return { kind: 'Dead', generationId };
      return undefined;
    case 'PreparingRebalance':
      if (event.type === 'memberJoining') return phase;
      if (event.type === 'joinCompleted') {
        return {
          kind: 'CompletingRebalance',
          generationId: generationId + 1,
          leaderId: event.leaderId,
          protocolName: event.protocolName,
        };
      }
      if (event.type === 'memberRemoved') {
        return event.remaining > 0 ? phase : { kind: 'Empty', generationId: generationId + 1 };
      }
      return undefined;
    case 'CompletingRebalance':
    case 'Stable':
      if (event.type === 'leaderSynced' && phase.kind === 'CompletingRebalance') {
        return { kind: 'Stable', generationId, leaderId: phase.leaderId, protocolName: phase.protocolName };
      }
      if (event.type === 'memberJoining') return { kind: 'PreparingRebalance', generationId };
      if (event.type === 'memberRemoved') {
        return event.remaining > 0
          ? { kind: 'PreparingRebalance', generationId }
          : { kind: 'Empty', generationId: generationId + 1 };
      }
      return undefined;
    case 'Dead':
      return undefined;
  }
}

/** nextGroupPhase for callers that have already ruled illegal events out: a miss is a bug. */
export function transitionGroup(phase: GroupPhase, event: GroupEvent): GroupPhase {
  const next = nextGroupPhase(phase, event);
  if (next === undefined) throw new Error(`illegal group transition: ${event.type} in ${phase.kind}`);
  return next;
}
