import { describe, expect, it } from '@jest/globals';
import type { GroupState } from './group-coordinator.js';
import { nextGroupPhase, transitionGroup, type GroupEvent, type GroupPhase } from './group-state-machine.js';

const phases: Record<GroupState, GroupPhase> = {
  Empty: { kind: 'Empty', generationId: 4 },
  PreparingRebalance: { kind: 'PreparingRebalance', generationId: 4 },
  CompletingRebalance: { kind: 'CompletingRebalance', generationId: 4, leaderId: 'L', protocolName: 'range' },
  Stable: { kind: 'Stable', generationId: 4, leaderId: 'L', protocolName: 'range' },
  Dead: { kind: 'Dead', generationId: 4 },
};

const events: Record<string, GroupEvent> = {
  join: { type: 'memberJoining' },
  joined: { type: 'joinCompleted', leaderId: 'N', protocolName: 'cooperative-sticky' },
  synced: { type: 'leaderSynced' },
  leftSome: { type: 'memberRemoved', remaining: 2 },
  leftAll: { type: 'memberRemoved', remaining: 0 },
  forgotten: { type: 'forgotten' },
  closed: { type: 'closed' },
};

/** state → event → "NextState@generation", or "-" when the event cannot happen there. */
const table: Record<GroupState, Record<keyof typeof events, string>> = {
  Empty: {
    join: 'PreparingRebalance@4',
    joined: '-',
    synced: '-',
    leftSome: '-',
    leftAll: '-',
    forgotten: 'Dead@4',
    closed: 'Dead@4',
  },
  PreparingRebalance: {
    join: 'PreparingRebalance@4',
    joined: 'CompletingRebalance@5',
    synced: '-',
    leftSome: 'PreparingRebalance@4',
    leftAll: 'Empty@5',
    forgotten: '-',
    closed: 'Dead@4',
  },
  CompletingRebalance: {
    join: 'PreparingRebalance@4',
    joined: '-',
    synced: 'Stable@4',
    leftSome: 'PreparingRebalance@4',
    leftAll: 'Empty@5',
    forgotten: '-',
    closed: 'Dead@4',
  },
  Stable: {
    join: 'PreparingRebalance@4',
    joined: '-',
    synced: '-',
    leftSome: 'PreparingRebalance@4',
    leftAll: 'Empty@5',
    forgotten: '-',
    closed: 'Dead@4',
  },
  Dead: {
    join: '-',
    joined: '-',
    synced: '-',
    leftSome: '-',
    leftAll: '-',
    forgotten: '-',
    closed: 'Dead@4',
  },
};

describe('group state machine', () => {
  for (const [state, row] of Object.entries(table) as [GroupState, Record<string, string>][]) {
    for (const [eventName, expected] of Object.entries(row)) {
      it(`${state} --${eventName}--> ${expected}`, () => {
        const next = nextGroupPhase(phases[state], events[eventName]!);
        expect(next === undefined ? '-' : `${next.kind}@${next.generationId}`).toBe(expected);
      });
    }
  }

  it('carries the leader and protocol from the join phase into Stable', () => {
    const completing = transitionGroup(phases.PreparingRebalance, events['joined']!);
    expect(transitionGroup(completing, events['synced']!)).toEqual({
      kind: 'Stable',
      generationId: 5,
      leaderId: 'N',
      protocolName: 'cooperative-sticky',
    });
  });

  it('refuses an illegal transition loudly', () => {
    expect(() => transitionGroup(phases.Stable, events['synced']!)).toThrow('illegal group transition');
  });

  it('returns new states and leaves the old one as it was', () => {
    const before = { ...phases.Stable };
    transitionGroup(phases.Stable, events['join']!);
    expect(phases.Stable).toEqual(before);
  });
});
