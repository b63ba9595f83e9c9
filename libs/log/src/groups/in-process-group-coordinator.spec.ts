import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { GroupProtocol, JoinGroupResponse } from './group-coordinator.js';
import { InMemoryOffsetStore } from './in-memory-offset-store.js';
import {
  InProcessGroupCoordinator,
  type InProcessGroupCoordinatorOptions,
} from './in-process-group-coordinator.js';
import { ManualTimers, settle } from './manual-timers.js';

const SESSION = 1_000;
const REBALANCE = 5_000;
const G = 'g';

jest.setTimeout(5_000);

let timers: ManualTimers;
let coordinator: InProcessGroupCoordinator;

function start(options: InProcessGroupCoordinatorOptions = {}): InProcessGroupCoordinator {
  timers = new ManualTimers();
  coordinator = new InProcessGroupCoordinator({ timers, ...options });
  return coordinator;
}

afterEach(async () => {
  await coordinator?.close();
  expect(timers.pending).toBe(0);
});

function protocols(...names: string[]): GroupProtocol[] {
  return names.map((name) => ({ name, metadata: Buffer.from(`meta-${name}`) }));
}

interface JoinOptions {
  memberId?: string;
  protocols?: GroupProtocol[];
  protocolType?: string;
  clientId?: string;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  signal?: AbortSignal;
}

function join(options: JoinOptions = {}): Promise<JoinGroupResponse> {
  return coordinator.joinGroup({
    groupId: G,
    memberId: options.memberId ?? '',
    clientId: options.clientId ?? 'c',
    sessionTimeoutMs: options.sessionTimeoutMs ?? SESSION,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? REBALANCE,
    protocolType: options.protocolType ?? 'consumer',
    protocols: options.protocols ?? protocols('range'),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

function sync(
  response: JoinGroupResponse,
  assignments: Record<string, string> = {},
): Promise<{ assignment: Buffer }> {
  return coordinator.syncGroup({
    groupId: G,
    generationId: response.generationId,
    memberId: response.memberId,
    assignments: Object.entries(assignments).map(([memberId, a]) => ({
      memberId,
      assignment: Buffer.from(a),
    })),
  });
}

/** Joins one member and completes its generation, with assignment "a1". */
async function singleStableMember(): Promise<JoinGroupResponse> {
  const joined = await join();
  await sync(joined, { [joined.memberId]: 'a1' });
  return joined;
}

/**
 * Grows a group to `n` members one join at a time, each generation completed; returns the last
 * generation's join responses, the leader (the longest-standing member) first.
 */
async function stableGroup(n: number, options: JoinOptions = {}): Promise<JoinGroupResponse[]> {
  let members: JoinGroupResponse[] = [];
  for (let i = 0; i < n; i++) {
    // The newcomer first: an existing leader rejoining alone would complete a generation by itself.
    const [newcomer, ...rejoined] = await Promise.all([
      join(options),
      ...members.map((m) => join({ ...options, memberId: m.memberId })),
    ]);
    const responses = [...rejoined, newcomer!];
    const assignments = Object.fromEntries(responses.map((r) => [r.memberId, `a-${r.memberId}`]));
    await Promise.all(responses.map((r) => (r.memberId === r.leaderId ? sync(r, assignments) : sync(r))));
    members = responses;
  }
  return members;
}

type Outcome<T> =
  { state: 'pending' } | { state: 'resolved'; value: T } | { state: 'rejected'; error: unknown };

function track<T>(promise: Promise<T>): { readonly outcome: Outcome<T> } {
  const tracker: { outcome: Outcome<T> } = { outcome: { state: 'pending' } };
  promise.then(
    (value) => (tracker.outcome = { state: 'resolved', value }),
    (error: unknown) => (tracker.outcome = { state: 'rejected', error }),
  );
  return tracker;
}

async function state(): Promise<string> {
  return (await coordinator.describeGroup(G)).state;
}

describe('InProcessGroupCoordinator', () => {
  describe('joining and syncing', () => {
    it('makes the first member leader of generation 1 and hands out the assignment', async () => {
      start();
      const joined = await join({ clientId: 'worker-1' });
      expect(joined.memberId).toMatch(/^worker-1-/);
      expect(joined).toMatchObject({ generationId: 1, leaderId: joined.memberId, protocolName: 'range' });
      expect(joined.members).toEqual([
        { memberId: joined.memberId, clientId: 'worker-1', metadata: Buffer.from('meta-range') },
      ]);
      expect(await state()).toBe('CompletingRebalance');

      const { assignment } = await sync(joined, { [joined.memberId]: 'a1' });
      expect(assignment.toString()).toBe('a1');
      expect(await coordinator.describeGroup(G)).toEqual({
        groupId: G,
        state: 'Stable',
        protocolType: 'consumer',
        protocolName: 'range',
        generationId: 1,
        leaderId: joined.memberId,
        members: [{ memberId: joined.memberId, clientId: 'worker-1', assignment: Buffer.from('a1') }],
      });
    });

    it('waits for every member to rejoin, then starts a generation with all of them', async () => {
      start();
      const first = await singleStableMember();
      const second = track(join());
      await settle();
      expect(second.outcome.state).toBe('pending');
      expect(await state()).toBe('PreparingRebalance');
      await expect(
        coordinator.heartbeat({ groupId: G, generationId: 1, memberId: first.memberId }),
      ).rejects.toMatchObject({
        code: 'REBALANCE_IN_PROGRESS',
      });

      const rejoined = await join({ memberId: first.memberId });
      await settle();
      expect(second.outcome.state).toBe('resolved');
      const follower = (second.outcome as { value: JoinGroupResponse }).value;
      expect(rejoined.generationId).toBe(2);
      expect(follower.generationId).toBe(2);
      expect(rejoined.leaderId).toBe(first.memberId);
      expect(follower.leaderId).toBe(first.memberId);
      expect(rejoined.members.map((m) => m.memberId)).toEqual([first.memberId, follower.memberId]);
      expect(follower.members).toEqual([]);

      // The follower's sync waits for the leader's.
      const followerSync = track(sync(follower));
      await settle();
      expect(followerSync.outcome.state).toBe('pending');
      const leaderSync = await sync(rejoined, { [first.memberId]: 'L', [follower.memberId]: 'F' });
      await settle();
      expect(leaderSync.assignment.toString()).toBe('L');
      expect(followerSync.outcome).toEqual({ state: 'resolved', value: { assignment: Buffer.from('F') } });
      expect(await state()).toBe('Stable');
    });

    it('gives members the leader left out an empty assignment', async () => {
      start();
      const first = await singleStableMember();
      const second = track(join());
      const leader = await join({ memberId: first.memberId });
      await settle();
      const follower = (second.outcome as { value: JoinGroupResponse }).value;
      const followerSync = sync(follower);
      await sync(leader, { [leader.memberId]: 'L' });
      expect((await followerSync).assignment.length).toBe(0);
    });

    it('removes members that do not rejoin within the rebalance timeout', async () => {
      start();
      await stableGroup(1, { sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 2_000 });
      const second = track(join({ rebalanceTimeoutMs: 2_000 }));
      await timers.advance(1_900);
      expect(second.outcome.state).toBe('pending');
      await timers.advance(200);
      expect(second.outcome.state).toBe('resolved');
      const joined = (second.outcome as { value: JoinGroupResponse }).value;
      expect(joined).toMatchObject({ generationId: 2, leaderId: joined.memberId });
      const desc = await coordinator.describeGroup(G);
      expect(desc.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    });

    it('keeps a heartbeating member until the rebalance deadline, then drops it', async () => {
      start();
      const [first] = (await stableGroup(1, { rebalanceTimeoutMs: 3_000 })) as [JoinGroupResponse];
      const second = track(join({ rebalanceTimeoutMs: 3_000 }));
      for (let t = 0; t < 5; t++) {
        await timers.advance(500);
        await expect(
          coordinator.heartbeat({ groupId: G, generationId: 1, memberId: first.memberId }),
        ).rejects.toMatchObject({ code: 'REBALANCE_IN_PROGRESS' });
      }
      expect(second.outcome.state).toBe('pending');
      await timers.advance(600);
      expect(second.outcome.state).toBe('resolved');
      await expect(
        coordinator.heartbeat({ groupId: G, generationId: 1, memberId: first.memberId }),
      ).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
    });

    it('returns the current generation to a follower that rejoins with the same metadata', async () => {
      start();
      const [, follower] = await stableGroup(2);
      const again = await join({ memberId: follower!.memberId });
      expect(again).toEqual(follower);
      expect(await state()).toBe('Stable');
      expect((await sync(again)).assignment.toString()).toBe(`a-${follower!.memberId}`);
    });

    it('rebalances when a member rejoins with new metadata, or when the leader rejoins', async () => {
      start();
      const first = await singleStableMember();
      const changed = await join({
        memberId: first.memberId,
        protocols: [{ name: 'range', metadata: Buffer.from('x') }],
      });
      expect(changed.generationId).toBe(2);
      await sync(changed, {});
      const leaderAgain = await join({
        memberId: first.memberId,
        protocols: [{ name: 'range', metadata: Buffer.from('x') }],
      });
      expect(leaderAgain.generationId).toBe(3);
    });

    it('chooses the first protocol of the leader that every member supports', async () => {
      start();
      const [a, b] = (await stableGroup(2, { protocols: protocols('cooperative-sticky', 'range') })) as [
        JoinGroupResponse,
        JoinGroupResponse,
      ];
      expect(a.protocolName).toBe('cooperative-sticky');

      const [c, a2, b2] = await Promise.all([
        join({ protocols: protocols('range') }),
        join({ memberId: a.memberId, protocols: protocols('cooperative-sticky', 'range') }),
        join({ memberId: b.memberId, protocols: protocols('range', 'cooperative-sticky') }),
      ]);
      for (const r of [a2, b2, c]) expect(r.protocolName).toBe('range');
      expect(a2.leaderId).toBe(a.memberId);
      expect(a2.members.map((m) => m.metadata.toString())).toEqual([
        'meta-range',
        'meta-range',
        'meta-range',
      ]);
    });

    it('refuses a member that shares no protocol, or another protocol type, with the group', async () => {
      start();
      await singleStableMember();
      await expect(join({ protocols: protocols('roundrobin') })).rejects.toMatchObject({
        code: 'INCONSISTENT_GROUP_PROTOCOL',
      });
      await expect(join({ protocolType: 'connect' })).rejects.toMatchObject({
        code: 'INCONSISTENT_GROUP_PROTOCOL',
      });
      await expect(join({ protocols: [] })).rejects.toMatchObject({ code: 'INCONSISTENT_GROUP_PROTOCOL' });
      expect(await state()).toBe('Stable');
    });

    it('checks the session timeout and the member id', async () => {
      start({ minSessionTimeoutMs: 500 });
      await expect(join({ sessionTimeoutMs: 100 })).rejects.toMatchObject({
        code: 'INVALID_SESSION_TIMEOUT',
      });
      await expect(join({ memberId: 'nobody' })).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
      expect(await coordinator.listGroups()).toEqual([]);
    });

    it('answers sync calls out of turn', async () => {
      start();
      const first = await singleStableMember();
      await expect(
        coordinator.syncGroup({ groupId: G, generationId: 7, memberId: first.memberId, assignments: [] }),
      ).rejects.toMatchObject({ code: 'ILLEGAL_GENERATION' });
      await expect(
        coordinator.syncGroup({ groupId: G, generationId: 1, memberId: 'x', assignments: [] }),
      ).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
      track(join());
      await settle();
      await expect(sync(first)).rejects.toMatchObject({ code: 'REBALANCE_IN_PROGRESS' });
    });

    it('removes a leader that never syncs, which rebalances the followers', async () => {
      start();
      const first = await singleStableMember();
      const second = track(join());
      const leader = await join({ memberId: first.memberId });
      await settle();
      const follower = (second.outcome as { value: JoinGroupResponse }).value;
      const waiting = track(sync(follower));
      // The leader heartbeats (so its session holds) but never sends the assignments.
      for (let i = 0; i < 11; i++) {
        await timers.advance(REBALANCE / 10);
        await coordinator
          .heartbeat({ groupId: G, generationId: 2, memberId: leader.memberId })
          .catch(() => undefined);
      }
      expect(waiting.outcome.state).toBe('rejected');
      expect((waiting.outcome as { error: unknown }).error).toMatchObject({ code: 'REBALANCE_IN_PROGRESS' });
      const desc = await coordinator.describeGroup(G);
      expect(desc.members.map((m) => m.memberId)).toEqual([follower.memberId]);
    });
  });

  describe('initial rebalance delay', () => {
    it('lets a starting fleet join one generation, extending the delay per arrival', async () => {
      start({ initialRebalanceDelayMs: 100 });
      const a = track(join());
      await timers.advance(80);
      const b = track(join());
      await timers.advance(80);
      expect(a.outcome.state).toBe('pending');
      const c = track(join());
      await timers.advance(90);
      expect(a.outcome.state).toBe('pending');
      await timers.advance(120);
      for (const t of [a, b, c]) {
        expect(t.outcome.state).toBe('resolved');
        expect((t.outcome as { value: JoinGroupResponse }).value.generationId).toBe(1);
      }
    });

    it('never waits past the rebalance timeout', async () => {
      start({ initialRebalanceDelayMs: 100 });
      const first = track(join({ rebalanceTimeoutMs: 250 }));
      for (let i = 0; i < 5; i++) {
        track(join({ rebalanceTimeoutMs: 250 }));
        await timers.advance(60);
      }
      expect(first.outcome.state).toBe('resolved');
    });
  });

  describe('liveness', () => {
    it('expires a member that stops heartbeating, and rebalances the rest', async () => {
      start();
      const [leader, follower] = (await stableGroup(2)) as [JoinGroupResponse, JoinGroupResponse];

      for (let i = 0; i < 2; i++) {
        await timers.advance(400);
        await coordinator.heartbeat({ groupId: G, generationId: 2, memberId: follower.memberId });
      }
      await timers.advance(400);
      // The leader has been silent for 1.2 s > its 1 s session.
      await expect(
        coordinator.heartbeat({ groupId: G, generationId: 2, memberId: leader.memberId }),
      ).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
      await expect(
        coordinator.heartbeat({ groupId: G, generationId: 2, memberId: follower.memberId }),
      ).rejects.toMatchObject({ code: 'REBALANCE_IN_PROGRESS' });
      const rejoined = await join({ memberId: follower.memberId });
      expect(rejoined).toMatchObject({ generationId: 3, leaderId: follower.memberId });
    });

    it('never expires a member while it waits in joinGroup or syncGroup', async () => {
      start();
      const [a, b] = await stableGroup(2);
      const c = track(join());
      const aJoin = track(join({ memberId: a!.memberId }));
      // a waits in joinGroup for b, which heartbeats but takes 3 sessions to rejoin.
      for (let i = 0; i < 6; i++) {
        await timers.advance(SESSION / 2);
        await expect(
          coordinator.heartbeat({ groupId: G, generationId: 2, memberId: b!.memberId }),
        ).rejects.toMatchObject({
          code: 'REBALANCE_IN_PROGRESS',
        });
      }
      const bJoin = await join({ memberId: b!.memberId });
      await settle();
      const leader = (aJoin.outcome as { value: JoinGroupResponse }).value;
      expect(leader.members).toHaveLength(3);

      // b and c wait in syncGroup for three sessions while the leader heartbeats.
      const cJoin = (c.outcome as { value: JoinGroupResponse }).value;
      const bSync = track(sync(bJoin));
      const cSync = track(sync(cJoin));
      for (let i = 0; i < 6; i++) {
        await timers.advance(SESSION / 2);
        await coordinator.heartbeat({ groupId: G, generationId: 3, memberId: leader.memberId });
      }
      expect(bSync.outcome.state).toBe('pending');
      await sync(leader, { [bJoin.memberId]: 'B', [cJoin.memberId]: 'C' });
      await settle();
      expect(bSync.outcome).toEqual({ state: 'resolved', value: { assignment: Buffer.from('B') } });
      expect(cSync.outcome).toEqual({ state: 'resolved', value: { assignment: Buffer.from('C') } });
    });

    it('rebalances at once when a member leaves, and forgets the group when the last one does', async () => {
      start();
      const [leader, follower] = (await stableGroup(2)) as [JoinGroupResponse, JoinGroupResponse];

      await coordinator.leaveGroup(G, leader.memberId);
      expect(await state()).toBe('PreparingRebalance');
      const alone = await join({ memberId: follower.memberId });
      expect(alone).toMatchObject({ generationId: 3, leaderId: follower.memberId });
      await coordinator.leaveGroup(G, follower.memberId);
      expect(await state()).toBe('Dead');
      expect(await coordinator.listGroups()).toEqual([]);
      await expect(coordinator.leaveGroup(G, follower.memberId)).rejects.toMatchObject({
        code: 'UNKNOWN_MEMBER_ID',
      });
    });

    it('drops a new member whose join is aborted', async () => {
      start();
      const first = await singleStableMember();
      const controller = new AbortController();
      const aborted = track(join({ signal: controller.signal }));
      await settle();
      controller.abort();
      await settle();
      expect((aborted.outcome as { error: unknown }).error).toMatchObject({ code: 'ABORTED' });
      const rejoined = await join({ memberId: first.memberId });
      expect(rejoined.members.map((m) => m.memberId)).toEqual([first.memberId]);
    });
  });

  describe('offsets', () => {
    const tp0 = { topic: 't', partition: 0 };
    const tp1 = { topic: 't', partition: 1 };

    it('accepts commits from current members only', async () => {
      start();
      const first = await singleStableMember();
      const ref = { groupId: G, generationId: 1, memberId: first.memberId };
      await coordinator.commitOffsets(ref, [{ ...tp0, offset: 5, metadata: 'm' }]);
      expect(await coordinator.fetchOffsets(G)).toEqual([{ ...tp0, offset: 5, metadata: 'm' }]);

      await expect(
        coordinator.commitOffsets({ ...ref, generationId: 0 }, [{ ...tp0, offset: 6 }]),
      ).rejects.toMatchObject({
        code: 'ILLEGAL_GENERATION',
      });
      await expect(
        coordinator.commitOffsets({ ...ref, memberId: 'x' }, [{ ...tp0, offset: 6 }]),
      ).rejects.toMatchObject({
        code: 'UNKNOWN_MEMBER_ID',
      });
      await expect(
        coordinator.commitOffsets({ groupId: G, generationId: -1, memberId: '' }, [{ ...tp0, offset: 6 }]),
      ).rejects.toMatchObject({ code: 'NON_EMPTY_GROUP' });

      // While a rebalance is prepared, the old generation may still commit (it is revoking)...
      const second = track(join());
      await settle();
      expect(second.outcome.state).toBe('pending');
      await coordinator.commitOffsets(ref, [{ ...tp0, offset: 7 }]);
      // ...but not while assignments are handed out.
      const leader = await join({ memberId: first.memberId });
      await expect(
        coordinator.commitOffsets({ ...ref, generationId: leader.generationId }, [{ ...tp0, offset: 8 }]),
      ).rejects.toMatchObject({ code: 'REBALANCE_IN_PROGRESS' });
      await expect(coordinator.commitOffsets(ref, [{ ...tp0, offset: 8 }])).rejects.toMatchObject({
        code: 'ILLEGAL_GENERATION',
      });
      expect(await coordinator.fetchOffsets(G, [tp0, tp1])).toEqual([{ ...tp0, offset: 7, metadata: '' }]);
    });

    it('accepts commits without a generation for an empty or unknown group', async () => {
      start();
      const admin = { groupId: 'offsets-only', generationId: -1, memberId: '' };
      await coordinator.commitOffsets(admin, [
        { ...tp1, offset: 3 },
        { ...tp0, offset: 2 },
      ]);
      expect(await coordinator.fetchOffsets('offsets-only')).toEqual([
        { ...tp0, offset: 2, metadata: '' },
        { ...tp1, offset: 3, metadata: '' },
      ]);
      expect(await coordinator.listGroups()).toEqual([
        { groupId: 'offsets-only', protocolType: '', state: 'Empty' },
      ]);
    });

    it('rejects impossible offsets', async () => {
      start();
      const admin = { groupId: G, generationId: -1, memberId: '' };
      await expect(coordinator.commitOffsets(admin, [{ ...tp0, offset: -1 }])).rejects.toMatchObject({
        code: 'OFFSET_OUT_OF_RANGE',
      });
      await expect(
        coordinator.commitOffsets(admin, [{ topic: 't', partition: 1.5, offset: 1 }]),
      ).rejects.toMatchObject({
        code: 'INVALID_PARTITIONS',
      });
    });

    it('deletes offsets of an empty group only, and forgets a group left with nothing', async () => {
      start();
      const first = await singleStableMember();
      await coordinator.commitOffsets({ groupId: G, generationId: 1, memberId: first.memberId }, [
        { ...tp0, offset: 1 },
        { ...tp1, offset: 2 },
      ]);
      await expect(coordinator.deleteOffsets(G)).rejects.toMatchObject({ code: 'NON_EMPTY_GROUP' });
      await coordinator.leaveGroup(G, first.memberId);
      expect(await state()).toBe('Empty');
      await coordinator.deleteOffsets(G, [tp0]);
      expect(await coordinator.fetchOffsets(G)).toEqual([{ ...tp1, offset: 2, metadata: '' }]);
      await coordinator.deleteOffsets(G);
      expect(await state()).toBe('Dead');
      await expect(coordinator.deleteOffsets(G)).rejects.toMatchObject({ code: 'GROUP_ID_NOT_FOUND' });
    });

    it('reloads committed offsets from its store, stamped with the commit time', async () => {
      const store = new InMemoryOffsetStore();
      start({ offsetStore: store });
      await timers.advance(1_234);
      await coordinator.commitOffsets({ groupId: G, generationId: -1, memberId: '' }, [
        { ...tp0, offset: 9 },
      ]);
      expect((await store.load()).get(G)).toEqual([
        { ...tp0, offset: 9, metadata: '', commitTimestamp: timers.now() },
      ]);
      await coordinator.close();

      start({ offsetStore: store });
      expect(await coordinator.fetchOffsets(G)).toEqual([{ ...tp0, offset: 9, metadata: '' }]);
      expect(await coordinator.listGroups()).toEqual([{ groupId: G, protocolType: '', state: 'Empty' }]);
    });
  });

  describe('lookups and closing', () => {
    it('describes an unknown group as Dead', async () => {
      start();
      expect(await coordinator.describeGroup('nope')).toEqual({
        groupId: 'nope',
        state: 'Dead',
        protocolType: '',
        protocolName: '',
        generationId: -1,
        leaderId: '',
        members: [],
      });
      expect(await coordinator.fetchOffsets('nope')).toEqual([]);
      await expect(
        coordinator.heartbeat({ groupId: 'nope', generationId: 1, memberId: 'm' }),
      ).rejects.toMatchObject({
        code: 'UNKNOWN_MEMBER_ID',
      });
    });

    it('lists groups with their states', async () => {
      start();
      await singleStableMember();
      track(
        coordinator.joinGroup({
          groupId: 'other',
          memberId: '',
          sessionTimeoutMs: SESSION,
          rebalanceTimeoutMs: REBALANCE,
          protocolType: 'connect',
          protocols: protocols('sessioned'),
        }),
      );
      await settle();
      expect(await coordinator.listGroups()).toEqual([
        { groupId: G, protocolType: 'consumer', state: 'Stable' },
        { groupId: 'other', protocolType: 'connect', state: 'CompletingRebalance' },
      ]);
    });

    it('fails parked requests with CLOSED, stops its timers, and refuses calls afterwards', async () => {
      start();
      await singleStableMember();
      const parked = track(join());
      await settle();
      await coordinator.close();
      await settle();
      expect((parked.outcome as { error: unknown }).error).toMatchObject({ code: 'CLOSED' });
      expect(timers.pending).toBe(0);
      await expect(join()).rejects.toMatchObject({ code: 'CLOSED' });
    });
  });
});
