import { randomUUID } from 'node:crypto';
import { LogError } from '../errors.js';
import { topicPartitionKey, type TopicPartition } from '../record.js';
import { compareTopicPartitions } from './assignors/partition-assignor.js';
import type {
  CommittedOffset,
  GroupCoordinator,
  GroupDescription,
  GroupMemberMetadata,
  GroupProtocol,
  GroupState,
  JoinGroupRequest,
  JoinGroupResponse,
  MemberRef,
  OffsetCommit,
  SyncGroupRequest,
} from './group-coordinator.js';
import {
  INITIAL_GROUP_PHASE,
  transitionGroup,
  type GroupEvent,
  type GroupPhase,
} from './group-state-machine.js';
import { InMemoryOffsetStore } from './in-memory-offset-store.js';
import type { OffsetStore, StoredOffset } from './offset-store.js';
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/*
 * Kafka's classic group coordinator, in memory, for the standalone worker. The life cycle is the
 * state machine of group-state-machine.ts; this class adds members, parked requests and timers:
 *
 * - joinGroup parks until every current member has rejoined or the rebalance timeout (the largest
 *   of the members') passes; members that did not rejoin by then are removed. The join phase of a
 *   group that was empty waits initialRebalanceDelayMs first, extended by that much for each
 *   member that arrives meanwhile (never past the rebalance timeout), so a starting fleet lands
 *   in one generation rather than a storm of them.
 * - The leader is the longest-standing member. The protocol is the first of the leader's
 *   protocols that every member supports; a member whose protocols share none with the others
 *   is refused with INCONSISTENT_GROUP_PROTOCOL.
 * - syncGroup parks followers until the leader's assignments arrive. A leader that never syncs
 *   is removed after the rebalance timeout, which starts the next rebalance.
 * - A member that neither heartbeats, joins, syncs nor commits for sessionTimeoutMs is removed.
 *   Members parked in joinGroup or syncGroup are alive by definition.
 * - Unknown groups describe as Dead (as Kafka's DescribeGroups does), fetch no offsets, and answer
 *   heartbeat/sync/leave with UNKNOWN_MEMBER_ID; deleteOffsets answers GROUP_ID_NOT_FOUND.
 * - A group with no members and no offsets is forgotten (it goes Dead and leaves listGroups).
 */

export interface InProcessGroupCoordinatorOptions {
  /** Where committed offsets live; defaults to memory only. */
  offsetStore?: OffsetStore;
  timers?: Timers;
  /** Kafka's group.initial.rebalance.delay.ms. Default 0. */
  initialRebalanceDelayMs?: number;
  /** Bounds on a member's sessionTimeoutMs (Kafka's group.min/max.session.timeout.ms). */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
}

const DEFAULT_MIN_SESSION_TIMEOUT_MS = 100;
const DEFAULT_MAX_SESSION_TIMEOUT_MS = 30 * 60 * 1000;
const EMPTY = Buffer.alloc(0);

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

interface Member {
  readonly memberId: string;
  clientId: string | undefined;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: GroupProtocol[];
  assignment: Buffer;
  /** Joined during the current join phase and never had a generation. */
  isNew: boolean;
  awaitingJoin: Waiter<JoinGroupResponse> | undefined;
  awaitingSync: Waiter<{ assignment: Buffer }> | undefined;
  sessionTimer: TimerHandle | undefined;
}

interface Group {
  readonly groupId: string;
  phase: GroupPhase;
  protocolType: string;
  /** In join order: the first is the leader of the next generation. */
  readonly members: Map<string, Member>;
  /** The join-phase deadline, the initial delay, or the sync deadline, by phase. */
  phaseTimer: TimerHandle | undefined;
  /** Set while a new group's join phase waits for more members (the initial delay). */
  initialDelay: { hardDeadline: number; arrivals: number } | undefined;
  readonly offsets: Map<string, StoredOffset>;
  /** Offset writes run one after another so the store and the cache agree on the last one. */
  writes: Promise<void>;
  pendingWrites: number;
}

export class InProcessGroupCoordinator implements GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly store: OffsetStore;
  private readonly timers: Timers;
  private readonly initialRebalanceDelayMs: number;
  private readonly minSessionTimeoutMs: number;
  private readonly maxSessionTimeoutMs: number;
  private loading: Promise<void> | undefined;
  private closed = false;

  constructor(options: InProcessGroupCoordinatorOptions = {}) {
    this.store = options.offsetStore ?? new InMemoryOffsetStore();
    this.timers = options.timers ?? systemTimers;
    this.initialRebalanceDelayMs = options.initialRebalanceDelayMs ?? 0;
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? DEFAULT_MIN_SESSION_TIMEOUT_MS;
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? DEFAULT_MAX_SESSION_TIMEOUT_MS;
  }

  /** Loads committed offsets now; otherwise the first call does. Safe to call more than once. */
  open(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (!this.loading) {
      this.loading = this.load().catch((err: unknown) => {
        this.loading = undefined;
        throw err;
      });
    }
    return this.loading;
  }

  async joinGroup(request: JoinGroupRequest): Promise<JoinGroupResponse> {
    this.validateJoin(request);
    await this.open();
    this.assertOpen();
    throwIfAborted(request.signal);

    const existing = this.groups.get(request.groupId);
    if (request.memberId !== '' && !existing?.members.has(request.memberId)) {
      throw unknownMember(request.groupId, request.memberId);
    }
    const group = existing ?? this.createGroup(request.groupId);
    const others = [...group.members.values()].filter((m) => m.memberId !== request.memberId);
    if (others.length > 0) {
      if (group.protocolType !== request.protocolType) {
        throw new LogError(
          'INCONSISTENT_GROUP_PROTOCOL',
          `group ${request.groupId} runs protocol type ${JSON.stringify(group.protocolType)}, not ${JSON.stringify(request.protocolType)}`,
        );
      }
      const common = commonProtocols(others);
      if (!request.protocols.some((p) => common.has(p.name))) {
        throw new LogError(
          'INCONSISTENT_GROUP_PROTOCOL',
          `group ${request.groupId}'s members support ${[...common].join(', ') || 'no common protocol'}; the joining member offers ${request.protocols.map((p) => p.name).join(', ')}`,
        );
      }
    }

    if (request.memberId === '') return this.joinNewMember(group, request);

    const member = group.members.get(request.memberId)!;
    const phase = group.phase;
    if (phase.kind === 'CompletingRebalance' || phase.kind === 'Stable') {
      const unchanged = sameProtocols(member.protocols, request.protocols);
      // A member that lost its join response, or rejoins for nothing, gets the current generation
      // back instead of starting a rebalance. The leader rejoining always rebalances: it does so
      // when it sees the subscribed topics change.
      if (unchanged && (phase.kind === 'CompletingRebalance' || member.memberId !== phase.leaderId)) {
        this.touchSession(group, member);
        return this.joinResponse(group, phase, member);
      }
    }
    this.updateMember(member, request);
    group.protocolType = request.protocolType;
    const joined = this.parkJoin(group, member, request.signal);
    this.fire(group, { type: 'memberJoining' });
    this.tryCompleteJoin(group);
    return joined;
  }

  async syncGroup(request: SyncGroupRequest): Promise<{ assignment: Buffer }> {
    await this.open();
    this.assertOpen();
    throwIfAborted(request.signal);
    const { group, member } = this.currentMember(request);
    const phase = group.phase;
    switch (phase.kind) {
      case 'PreparingRebalance':
        throw rebalanceInProgress(group.groupId);
      case 'Stable':
        this.touchSession(group, member);
        return { assignment: member.assignment };
      case 'CompletingRebalance': {
        this.touchSession(group, member);
        const synced = this.parkSync(group, member, request.signal);
        if (member.memberId === phase.leaderId) {
          const assignments = new Map(request.assignments.map((a) => [a.memberId, a.assignment]));
          for (const m of group.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY;
          this.fire(group, { type: 'leaderSynced' });
          for (const m of group.members.values()) {
            const waiter = m.awaitingSync;
            m.awaitingSync = undefined;
            waiter?.resolve({ assignment: m.assignment });
          }
        }
        return synced;
      }
      default:
        throw unknownMember(group.groupId, member.memberId);
    }
  }

  async heartbeat(ref: MemberRef): Promise<void> {
    await this.open();
    this.assertOpen();
    const { group, member } = this.currentMember(ref);
    this.touchSession(group, member);
    if (group.phase.kind === 'PreparingRebalance') throw rebalanceInProgress(group.groupId);
  }

  async leaveGroup(groupId: string, memberId: string): Promise<void> {
    await this.open();
    this.assertOpen();
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) throw unknownMember(groupId, memberId);
    this.removeMember(group, member, unknownMember(groupId, memberId));
  }

  async commitOffsets(ref: MemberRef, offsets: OffsetCommit[]): Promise<void> {
    const valid = offsets.map(validateCommit);
    await this.open();
    this.assertOpen();
    let group: Group;
    if (ref.generationId < 0) {
      const existing = this.groups.get(ref.groupId);
      if (existing && existing.members.size > 0) {
        throw new LogError(
          'NON_EMPTY_GROUP',
          `group ${ref.groupId} has members: only they may commit (offsets without a generation need an empty group)`,
        );
      }
      validateGroupId(ref.groupId);
      if (valid.length === 0) return;
      group = existing ?? this.createGroup(ref.groupId);
    } else {
      const current = this.currentMember(ref);
      group = current.group;
      // Members may commit while a rebalance is prepared (that is when they revoke), not while
      // assignments are being handed out: they are about to change.
      if (group.phase.kind === 'CompletingRebalance') throw rebalanceInProgress(group.groupId);
      this.touchSession(group, current.member);
    }
    if (valid.length === 0) return;
    const commitTimestamp = this.timers.now();
    const stored: StoredOffset[] = valid.map((o) => ({ ...o, commitTimestamp }));
    await this.write(group, async () => {
      await this.store.save(group.groupId, stored);
      for (const offset of stored) group.offsets.set(topicPartitionKey(offset), offset);
    });
  }

  async fetchOffsets(groupId: string, partitions?: TopicPartition[]): Promise<CommittedOffset[]> {
    await this.open();
    const group = this.groups.get(groupId);
    if (!group) return [];
    const found =
      partitions === undefined
        ? [...group.offsets.values()]
        : partitions.flatMap((tp) => {
            const offset = group.offsets.get(topicPartitionKey(tp));
            return offset ? [offset] : [];
          });
    return found
      .map(({ topic, partition, offset, metadata }) => ({ topic, partition, offset, metadata }))
      .sort(compareTopicPartitions);
  }

  async deleteOffsets(groupId: string, partitions?: TopicPartition[]): Promise<void> {
    await this.open();
    this.assertOpen();
    const group = this.groups.get(groupId);
    if (!group) throw new LogError('GROUP_ID_NOT_FOUND', `no group ${groupId}`);
    if (group.members.size > 0) {
      throw new LogError(
        'NON_EMPTY_GROUP',
        `group ${groupId} has members: stop them before deleting its offsets`,
      );
    }
    const targets = partitions?.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
    await this.write(group, async () => {
      await this.store.delete(groupId, targets);
      if (targets === undefined) group.offsets.clear();
      else for (const tp of targets) group.offsets.delete(topicPartitionKey(tp));
    });
  }

  async forgetTopic(topic: string): Promise<void> {
    await this.open();
    this.assertOpen();
    const writes: Promise<void>[] = [];
    for (const group of this.groups.values()) {
      const targets = [...group.offsets.values()]
        .filter((o) => o.topic === topic)
        .map((o) => ({ topic: o.topic, partition: o.partition }));
      if (targets.length === 0) continue;
      writes.push(
        this.write(group, async () => {
          await this.store.delete(group.groupId, targets);
          for (const tp of targets) group.offsets.delete(topicPartitionKey(tp));
        }),
      );
    }
    await Promise.all(writes);
  }

  async listGroups(): Promise<{ groupId: string; protocolType: string; state: GroupState }[]> {
    await this.open();
    return [...this.groups.values()]
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.phase.kind }))
      .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    await this.open();
    const group = this.groups.get(groupId);
    if (!group) {
      return {
        groupId,
        state: 'Dead',
        protocolType: '',
        protocolName: '',
        generationId: -1,
        leaderId: '',
        members: [],
      };
    }
    const phase = group.phase;
    const settled = phase.kind === 'CompletingRebalance' || phase.kind === 'Stable';
    return {
      groupId,
      state: phase.kind,
      protocolType: group.protocolType,
      protocolName: settled ? phase.protocolName : '',
      generationId: phase.generationId,
      leaderId: settled ? phase.leaderId : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        ...(m.clientId === undefined ? {} : { clientId: m.clientId }),
        assignment: phase.kind === 'Stable' ? m.assignment : EMPTY,
      })),
    };
  }

  /** Fails every parked request with CLOSED, stops every timer, and waits for offset writes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const writes: Promise<void>[] = [];
    for (const group of this.groups.values()) {
      this.clearPhaseTimer(group);
      for (const member of group.members.values()) {
        this.clearSession(member);
        settleWaiters(member, closedError());
      }
      group.phase = transitionGroup(group.phase, { type: 'closed' });
      writes.push(group.writes);
    }
    this.groups.clear();
    await Promise.all(writes);
  }

  // ---- joining -------------------------------------------------------------------------------

  private joinNewMember(group: Group, request: JoinGroupRequest): Promise<JoinGroupResponse> {
    const memberId = `${request.clientId || 'member'}-${randomUUID()}`;
    const member: Member = {
      memberId,
      clientId: request.clientId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: copyProtocols(request.protocols),
      assignment: EMPTY,
      isNew: true,
      awaitingJoin: undefined,
      awaitingSync: undefined,
      sessionTimer: undefined,
    };
    group.members.set(memberId, member);
    group.protocolType = request.protocolType;
    if (group.initialDelay) group.initialDelay.arrivals++;
    const joined = this.parkJoin(group, member, request.signal);
    this.fire(group, { type: 'memberJoining' });
    this.tryCompleteJoin(group);
    return joined;
  }

  private updateMember(member: Member, request: JoinGroupRequest): void {
    member.clientId = request.clientId;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.protocols = copyProtocols(request.protocols);
  }

  private parkJoin(
    group: Group,
    member: Member,
    signal: AbortSignal | undefined,
  ): Promise<JoinGroupResponse> {
    member.awaitingJoin?.reject(
      rebalanceInProgress(group.groupId, 'a newer joinGroup from the same member replaced this one'),
    );
    return park<JoinGroupResponse>(
      signal,
      (waiter) => (member.awaitingJoin = waiter),
      () => {
        if (member.awaitingJoin === undefined) return false;
        member.awaitingJoin = undefined;
        // A member that never made it into a generation leaves with its request; an older one
        // stays until the join phase ends without it.
        if (member.isNew && group.members.get(member.memberId) === member) {
          this.removeMember(group, member, undefined);
        } else {
          this.tryCompleteJoin(group);
        }
        return true;
      },
    );
  }

  private tryCompleteJoin(group: Group): void {
    if (group.phase.kind !== 'PreparingRebalance' || group.initialDelay) return;
    for (const member of group.members.values()) if (!member.awaitingJoin) return;
    this.completeJoin(group);
  }

  /** Ends the join phase: drops members that did not rejoin, starts the next generation. */
  private completeJoin(group: Group): void {
    this.clearPhaseTimer(group);
    group.initialDelay = undefined;
    for (const member of [...group.members.values()]) {
      if (!member.awaitingJoin) this.dropMember(group, member);
    }
    if (group.members.size === 0) {
      this.fire(group, { type: 'memberRemoved', remaining: 0 });
      return;
    }
    const members = [...group.members.values()];
    const leader = members[0]!;
    const common = commonProtocols(members);
    const protocolName = leader.protocols.find((p) => common.has(p.name))?.name;
    if (protocolName === undefined) throw new Error(`group ${group.groupId}: members share no protocol`);
    this.fire(group, { type: 'joinCompleted', leaderId: leader.memberId, protocolName });
    const phase = group.phase;
    for (const member of members) {
      member.isNew = false;
      member.assignment = EMPTY;
      const waiter = member.awaitingJoin!;
      member.awaitingJoin = undefined;
      this.touchSession(group, member);
      waiter.resolve(this.joinResponse(group, phase, member));
    }
  }

  private joinResponse(group: Group, phase: GroupPhase, member: Member): JoinGroupResponse {
    if (phase.kind !== 'CompletingRebalance' && phase.kind !== 'Stable') {
      throw new Error(`join response asked for in ${phase.kind}`);
    }
    const isLeader = member.memberId === phase.leaderId;
    const members: GroupMemberMetadata[] = isLeader
      ? [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          ...(m.clientId === undefined ? {} : { clientId: m.clientId }),
          metadata: m.protocols.find((p) => p.name === phase.protocolName)!.metadata,
        }))
      : [];
    return {
      generationId: phase.generationId,
      protocolName: phase.protocolName,
      leaderId: phase.leaderId,
      memberId: member.memberId,
      members,
    };
  }

  // ---- syncing -------------------------------------------------------------------------------

  private parkSync(
    group: Group,
    member: Member,
    signal: AbortSignal | undefined,
  ): Promise<{ assignment: Buffer }> {
    member.awaitingSync?.reject(
      rebalanceInProgress(group.groupId, 'a newer syncGroup from the same member replaced this one'),
    );
    return park<{ assignment: Buffer }>(
      signal,
      (waiter) => (member.awaitingSync = waiter),
      () => {
        if (member.awaitingSync === undefined) return false;
        member.awaitingSync = undefined;
        return true;
      },
    );
  }

  // ---- the state machine's side effects ------------------------------------------------------

  /** Applies a transition and what entering or leaving a state entails. */
  private fire(group: Group, event: GroupEvent): void {
    const before = group.phase;
    const after = transitionGroup(before, event);
    group.phase = after;
    if (before.kind === after.kind) return;

    if (before.kind === 'CompletingRebalance' && after.kind !== 'Stable') {
      for (const member of group.members.values()) {
        const waiter = member.awaitingSync;
        if (!waiter) continue;
        member.awaitingSync = undefined;
        // It was alive until now: give it a full session to rejoin.
        this.touchSession(group, member);
        waiter.reject(rebalanceInProgress(group.groupId));
      }
    }
    this.clearPhaseTimer(group);
    if (after.kind === 'PreparingRebalance') {
      if (before.kind === 'Empty' && this.initialRebalanceDelayMs > 0) {
        group.initialDelay = { hardDeadline: this.timers.now() + this.rebalanceTimeout(group), arrivals: 0 };
        this.schedulePhaseTimer(group, this.initialRebalanceDelayMs, () => this.onInitialDelay(group));
      } else {
        this.schedulePhaseTimer(group, this.rebalanceTimeout(group), () => this.completeJoin(group));
      }
    } else if (after.kind === 'CompletingRebalance') {
      this.schedulePhaseTimer(group, this.rebalanceTimeout(group), () => this.onSyncDeadline(group));
    } else if (after.kind === 'Empty') {
      group.initialDelay = undefined;
      this.maybeForget(group);
    }
  }

  private onInitialDelay(group: Group): void {
    const delay = group.initialDelay;
    if (!delay || group.phase.kind !== 'PreparingRebalance') return;
    const remaining = delay.hardDeadline - this.timers.now();
    if (delay.arrivals > 0 && remaining > 0) {
      delay.arrivals = 0;
      this.schedulePhaseTimer(group, Math.min(this.initialRebalanceDelayMs, remaining), () =>
        this.onInitialDelay(group),
      );
      return;
    }
    this.completeJoin(group);
  }

  /** Members that have not asked for their assignment a rebalance timeout after the join phase are gone. */
  private onSyncDeadline(group: Group): void {
    const phase = group.phase;
    if (phase.kind !== 'CompletingRebalance') return;
    group.phaseTimer = undefined;
    const missing = [...group.members.values()].filter((m) => !m.awaitingSync);
    for (const member of missing) this.removeMember(group, member, undefined);
  }

  private rebalanceTimeout(group: Group): number {
    let max = 0;
    for (const member of group.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  // ---- members -------------------------------------------------------------------------------

  /** Removes a member and rebalances the others (or empties the group). */
  private removeMember(group: Group, member: Member, error: LogError | undefined): void {
    if (group.members.get(member.memberId) !== member) return;
    this.dropMember(group, member, error);
    const phase = group.phase;
    if (phase.kind === 'PreparingRebalance' && group.members.size > 0) {
      this.tryCompleteJoin(group);
    } else if (phase.kind !== 'Empty' && phase.kind !== 'Dead') {
      this.fire(group, { type: 'memberRemoved', remaining: group.members.size });
    }
  }

  private dropMember(group: Group, member: Member, error?: LogError): void {
    this.clearSession(member);
    group.members.delete(member.memberId);
    settleWaiters(member, error ?? unknownMember(group.groupId, member.memberId));
  }

  private touchSession(group: Group, member: Member): void {
    this.clearSession(member);
    member.sessionTimer = this.timers.setTimeout(() => {
      member.sessionTimer = undefined;
      if (group.members.get(member.memberId) !== member) return;
      if (member.awaitingJoin || member.awaitingSync) this.touchSession(group, member);
      else this.removeMember(group, member, undefined);
    }, member.sessionTimeoutMs);
  }

  private clearSession(member: Member): void {
    if (member.sessionTimer !== undefined) this.timers.clearTimeout(member.sessionTimer);
    member.sessionTimer = undefined;
  }

  private currentMember(ref: MemberRef): { group: Group; member: Member } {
    const group = this.groups.get(ref.groupId);
    const member = group?.members.get(ref.memberId);
    if (!group || !member) throw unknownMember(ref.groupId, ref.memberId);
    if (ref.generationId !== group.phase.generationId || member.isNew) {
      throw new LogError(
        'ILLEGAL_GENERATION',
        `member ${ref.memberId} of group ${ref.groupId} is at generation ${ref.generationId}; the group is at ${group.phase.generationId}`,
      );
    }
    return { group, member };
  }

  // ---- groups and offsets --------------------------------------------------------------------

  private createGroup(groupId: string): Group {
    const group: Group = {
      groupId,
      phase: INITIAL_GROUP_PHASE,
      protocolType: '',
      members: new Map(),
      phaseTimer: undefined,
      initialDelay: undefined,
      offsets: new Map(),
      writes: Promise.resolve(),
      pendingWrites: 0,
    };
    this.groups.set(groupId, group);
    return group;
  }

  /** Drops an empty group that has nothing left to remember. */
  private maybeForget(group: Group): void {
    if (
      group.phase.kind === 'Empty' &&
      group.members.size === 0 &&
      group.offsets.size === 0 &&
      group.pendingWrites === 0 &&
      this.groups.get(group.groupId) === group
    ) {
      this.fire(group, { type: 'forgotten' });
      this.groups.delete(group.groupId);
    }
  }

  private write(group: Group, task: () => Promise<void>): Promise<void> {
    group.pendingWrites++;
    const run = group.writes.then(task).finally(() => {
      group.pendingWrites--;
      if (!this.closed) this.maybeForget(group);
    });
    group.writes = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const loaded = await this.store.load();
    for (const [groupId, offsets] of loaded) {
      if (offsets.length === 0) continue;
      const group = this.groups.get(groupId) ?? this.createGroup(groupId);
      for (const offset of offsets) {
        if (!group.offsets.has(topicPartitionKey(offset)))
          group.offsets.set(topicPartitionKey(offset), offset);
      }
    }
  }

  // ---- timers and checks ---------------------------------------------------------------------

  private schedulePhaseTimer(group: Group, ms: number, callback: () => void): void {
    this.clearPhaseTimer(group);
    group.phaseTimer = this.timers.setTimeout(() => {
      group.phaseTimer = undefined;
      callback();
    }, ms);
  }

  private clearPhaseTimer(group: Group): void {
    if (group.phaseTimer !== undefined) this.timers.clearTimeout(group.phaseTimer);
    group.phaseTimer = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }

  private validateJoin(request: JoinGroupRequest): void {
    validateGroupId(request.groupId);
    const session = request.sessionTimeoutMs;
    if (
      !Number.isInteger(session) ||
      session < this.minSessionTimeoutMs ||
      session > this.maxSessionTimeoutMs
    ) {
      throw new LogError(
        'INVALID_SESSION_TIMEOUT',
        `sessionTimeoutMs ${session} is outside ${this.minSessionTimeoutMs}..${this.maxSessionTimeoutMs}`,
        { field: 'sessionTimeoutMs', allowed: [`${this.minSessionTimeoutMs}..${this.maxSessionTimeoutMs}`] },
      );
    }
    if (!Number.isInteger(request.rebalanceTimeoutMs) || request.rebalanceTimeoutMs <= 0) {
      throw new LogError('INVALID_CONFIG', `rebalanceTimeoutMs must be a positive integer`, {
        field: 'rebalanceTimeoutMs',
      });
    }
    const names = request.protocols.map((p) => p.name);
    if (!request.protocolType || names.length === 0 || new Set(names).size !== names.length) {
      throw new LogError(
        'INCONSISTENT_GROUP_PROTOCOL',
        'a member must name its protocol type and offer at least one protocol, each once',
      );
    }
  }
}

function validateGroupId(groupId: string): void {
  if (typeof groupId !== 'string' || groupId.length === 0 || groupId.includes('\0')) {
    throw new LogError('INVALID_CONFIG', 'a group id is a non-empty string without NUL characters', {
      field: 'groupId',
    });
  }
}

function validateCommit(commit: OffsetCommit): Omit<StoredOffset, 'commitTimestamp'> {
  const { topic, partition, offset, metadata } = commit;
  if (typeof topic !== 'string' || topic.length === 0 || topic.includes('\0')) {
    throw new LogError('INVALID_TOPIC', `cannot commit an offset for topic ${JSON.stringify(topic)}`, {
      topic,
    });
  }
  if (!Number.isInteger(partition) || partition < 0) {
    throw new LogError(
      'INVALID_PARTITIONS',
      `cannot commit an offset for partition ${partition} of ${topic}`,
      {
        topic,
        partition,
      },
    );
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new LogError('OFFSET_OUT_OF_RANGE', `cannot commit offset ${offset} for ${topic}-${partition}`, {
      topic,
      partition,
      offset,
    });
  }
  return { topic, partition, offset, metadata: metadata ?? '' };
}

function commonProtocols(members: readonly Member[]): Set<string> {
  const [first, ...rest] = members;
  const common = new Set(first?.protocols.map((p) => p.name) ?? []);
  for (const member of rest) {
    const names = new Set(member.protocols.map((p) => p.name));
    for (const name of common) if (!names.has(name)) common.delete(name);
  }
  return common;
}

function sameProtocols(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  return (
    a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata))
  );
}

function copyProtocols(protocols: readonly GroupProtocol[]): GroupProtocol[] {
  return protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
}

function settleWaiters(member: Member, error: LogError): void {
  const join = member.awaitingJoin;
  const sync = member.awaitingSync;
  member.awaitingJoin = undefined;
  member.awaitingSync = undefined;
  join?.reject(error);
  sync?.reject(error);
}

/**
 * A promise whose resolvers `attach` stores; aborting `signal` calls `detach`, which unhooks them
 * (returning false when they already fired) before the promise rejects with ABORTED.
 */
function park<T>(
  signal: AbortSignal | undefined,
  attach: (waiter: Waiter<T>) => void,
  detach: () => boolean,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      if (detach())
        reject(new LogError('ABORTED', 'the group request was aborted', {}, { cause: signal?.reason }));
    };
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    attach({
      resolve: (value) => {
        done();
        resolve(value);
      },
      reject: (err) => {
        done();
        reject(err);
      },
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new LogError('ABORTED', 'the group request was aborted', {}, { cause: signal.reason });
}

function closedError(): LogError {
  return new LogError('CLOSED', 'the group coordinator is closed');
}

function unknownMember(groupId: string, memberId: string): LogError {
  return new LogError('UNKNOWN_MEMBER_ID', `group ${groupId} has no member ${JSON.stringify(memberId)}`);
}

function rebalanceInProgress(groupId: string, why = 'the group is rebalancing: rejoin'): LogError {
  return new LogError('REBALANCE_IN_PROGRESS', `group ${groupId}: ${why}`);
}
