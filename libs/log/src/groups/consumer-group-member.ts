import { isLogError, LogError } from '../errors.js';
import { topicPartitionKey, type TopicPartition } from '../record.js';
import { CooperativeStickyAssignor } from './assignors/cooperative-sticky-assignor.js';
import type {
  MemberId,
  MemberSubscription,
  PartitionAssignor,
  RebalanceProtocol,
} from './assignors/partition-assignor.js';
import { resolveOwnership, withholdTransfers } from './assignors/partition-ownership.js';
import { RangeAssignor } from './assignors/range-assignor.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from './consumer-protocol.js';
import type { GroupCoordinator, GroupMemberMetadata, MemberRef, OffsetCommit } from './group-coordinator.js';
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/**
 * What the consumer does when its partitions change. Every callback runs inside poll() (or
 * close()), never concurrently with another callback or with poll, and is awaited. A callback that
 * throws does not stop the rebalance: the error is rethrown by that poll() once it has finished.
 */
export interface ConsumerRebalanceListener {
  /**
   * The partitions are about to be taken away while the member is still in good standing: the last
   * moment to commit their offsets. EAGER: everything, before each rejoin. COOPERATIVE: only what
   * moves elsewhere (or belongs to topics no longer subscribed), after the new assignment arrives.
   */
  onPartitionsRevoked(partitions: TopicPartition[]): void | Promise<void>;
  /** The partitions added by a completed rebalance (maybe none: it is still called). */
  onPartitionsAssigned(partitions: TopicPartition[]): void | Promise<void>;
  /**
   * The member was dropped from the group (session or poll interval expired, or fenced): its
   * partitions may already belong to others, so commits for them will fail. Defaults to
   * onPartitionsRevoked.
   */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface ConsumerGroupMemberOptions {
  coordinator: GroupCoordinator;
  groupId: string;
  clientId?: string;
  /** Default 45 s. */
  sessionTimeoutMs?: number;
  /** Default 3 s; keep it well under the session timeout. */
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to rejoin. Default 60 s. */
  rebalanceTimeoutMs?: number;
  /** A member that does not poll for this long leaves the group. Default 5 min. */
  maxPollIntervalMs?: number;
  /** In order of preference. Default cooperative-sticky, then range. */
  assignors?: PartitionAssignor[];
  /** Partition count of a topic, or undefined when it does not exist. Asked on every poll by the leader. */
  partitionCount: (topic: string) => number | undefined;
  listener: ConsumerRebalanceListener;
  timers?: Timers;
  /**
   * Called from the heartbeat timer when the member learns it must rejoin (a rebalance started, or
   * it was fenced), so a consumer blocked in a long fetch can cut it short and poll sooner.
   */
  onRejoinNeeded?: () => void;
}

const NO_GENERATION = -1;

/*
 * The client side of the consumer group protocol, after Kafka's ConsumerCoordinator, driven by the
 * consumer calling poll() before each fetch:
 *
 *   poll ─► partitions lost? (fenced by a heartbeat, a commit or the poll interval) ─► onPartitionsLost
 *        ─► leader: a subscribed topic's partition count changed? ─► rejoin needed
 *        ─► rejoin needed (first poll, heartbeat said REBALANCE_IN_PROGRESS, subscription changed,
 *           cooperative follow-up):
 *             EAGER: onPartitionsRevoked(everything)      COOPERATIVE: revoke unsubscribed topics only
 *             joinGroup ─► the leader runs the assignor ─► syncGroup
 *             onPartitionsRevoked(owned − assigned), onPartitionsAssigned(assigned − owned)
 *             COOPERATIVE and something was revoked ─► rejoin on the next poll, so the partitions
 *             revoked here can go to their new owners
 *
 * EAGER or COOPERATIVE follows the assignor the group chose for the member's last generation, not
 * the configured list (Kafka takes the protocol all configured assignors support, which makes the
 * default list [cooperative-sticky, range] eager). That is safe in a group whose members disagree
 * because the leader, whatever assignor it runs, never hands anyone a partition another member
 * still claims (withholdTransfers): that member revokes it first and the next round moves it.
 *
 * Only the leader watches partition counts, as in Kafka: it knows every member's topics, and its
 * rejoin is what makes the coordinator rebalance (a follower rejoining unchanged gets its current
 * assignment back).
 */
export class ConsumerGroupMember {
  private readonly coordinator: GroupCoordinator;
  private readonly groupId: string;
  private readonly clientId: string | undefined;
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly assignors: PartitionAssignor[];
  private readonly timers: Timers;

  private subscription: string[] = [];
  private joinedTopics: string[] | undefined;
  private memberId = '';
  private generationId = NO_GENERATION;
  private rebalanceProtocol: RebalanceProtocol = 'EAGER';
  private isLeader = false;
  /** Leader only: partition counts of every topic the group subscribed to, as last assigned. */
  private partitionCounts = new Map<string, number | undefined>();
  private owned: TopicPartition[] = [];
  private rejoinNeeded = true;
  /** Why the member's partitions are lost, to be handled by the next poll. */
  private fenced: string | undefined;
  private joining = false;
  private polling = false;
  private lastPollAt: number;

  private heartbeatTimer: TimerHandle | undefined;
  /** Bumped whenever heartbeats stop or restart, so a heartbeat in flight knows it is stale. */
  private heartbeatEpoch = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly closing = new AbortController();
  private closed = false;
  /** Out of the group: close() revoked the partitions (commits still allowed then) and left. */
  private left = false;

  constructor(private readonly options: ConsumerGroupMemberOptions) {
    this.coordinator = options.coordinator;
    this.groupId = options.groupId;
    this.clientId = options.clientId;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 60_000;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? 300_000;
    this.assignors = options.assignors ?? [new CooperativeStickyAssignor(), new RangeAssignor()];
    this.timers = options.timers ?? systemTimers;
    this.lastPollAt = this.timers.now();
    if (this.assignors.length === 0) {
      throw new LogError('INVALID_CONFIG', 'a consumer group member needs at least one assignor', {
        field: 'assignors',
      });
    }
    if (!(this.heartbeatIntervalMs > 0) || this.heartbeatIntervalMs >= this.sessionTimeoutMs) {
      const message = 'heartbeatIntervalMs must be positive and below sessionTimeoutMs';
      throw new LogError('INVALID_CONFIG', message, { field: 'heartbeatIntervalMs' });
    }
  }

  /** Replaces the subscription; the next poll rejoins when it changed. An empty list leaves the group. */
  subscribe(topics: string[]): void {
    this.assertOpen();
    this.subscription = [...new Set(topics)].sort();
  }

  /** The partitions the member owns now. */
  assignment(): TopicPartition[] {
    return this.owned.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
  }

  memberRef(): MemberRef {
    return { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId };
  }

  /** True when the next poll will rebalance. */
  needsRejoin(): boolean {
    return this.fenced !== undefined || this.rejoinNeeded || this.subscriptionChanged();
  }

  /**
   * Brings the membership up to date before a fetch: handles lost partitions, joins and syncs
   * when needed, and runs the listener. Resolves at once when nothing is to be done. Calls are
   * serialized. Rejects with ABORTED when `signal` fires, CLOSED after close(), and with the first
   * listener error once the rebalance step is over.
   */
  poll(signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    this.lastPollAt = this.timers.now();
    return this.serialize(async () => {
      this.assertOpen();
      this.polling = true;
      try {
        await this.ensureActive(signal);
      } finally {
        this.polling = false;
        this.lastPollAt = this.timers.now();
      }
    });
  }

  /**
   * Commits offsets as this member of its current generation. When the coordinator says the member
   * is no longer current (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION) or a rebalance is under way
   * (REBALANCE_IN_PROGRESS), the next poll rejoins, and the error is rethrown.
   */
  async commit(offsets: OffsetCommit[]): Promise<void> {
    // a revoke listener run by close() commits here: its partitions' last chance
    if (this.left) throw this.closedError();
    const ref = this.memberRef();
    if (ref.generationId < 0) {
      this.requestRejoin();
      throw new LogError('REBALANCE_IN_PROGRESS', `not yet a member of group ${this.groupId}: poll() first`);
    }
    try {
      await this.coordinator.commitOffsets(ref, offsets);
    } catch (err) {
      if (this.isCurrent(ref) && !this.joining) {
        if (isLogError(err, 'UNKNOWN_MEMBER_ID') || isLogError(err, 'ILLEGAL_GENERATION')) {
          this.fence(err.code);
        } else if (isLogError(err, 'REBALANCE_IN_PROGRESS')) {
          this.requestRejoin();
        }
      }
      throw err;
    }
  }

  /**
   * Leaves the group: revokes the owned partitions through the listener (or reports them lost
   * when the member was fenced), then tells the coordinator, and stops heartbeats. A poll in
   * progress is aborted. Rethrows a listener error after leaving.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.stopHeartbeats();
    await this.queue;
    const errors: unknown[] = [];
    const partitions = this.owned;
    this.owned = [];
    if (partitions.length > 0) await this.invoke(this.fenced ? 'lost' : 'revoked', partitions, errors);
    await this.leave();
    this.left = true;
    if (errors.length > 0) throw errors[0];
  }

  // ---- the poll step -------------------------------------------------------------------------

  private async ensureActive(signal: AbortSignal | undefined): Promise<void> {
    const errors: unknown[] = [];
    if (this.fenced !== undefined) await this.losePartitions(errors);

    if (this.subscription.length === 0) {
      if (this.memberId !== '') {
        const partitions = this.owned;
        this.owned = [];
        if (partitions.length > 0) await this.invoke('revoked', partitions, errors);
        await this.leave();
      }
    } else {
      if (this.isLeader && this.partitionCountsChanged()) this.rejoinNeeded = true;
      if (this.subscriptionChanged()) this.rejoinNeeded = true;
      while (this.rejoinNeeded || this.generationId < 0) {
        const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
        if (stop.aborted) throw aborted(stop);
        if (await this.joinAndSync(stop, errors)) break;
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  /** One join-and-sync round; true when it completed a generation, false to try again. */
  private async joinAndSync(signal: AbortSignal, errors: unknown[]): Promise<boolean> {
    if (this.rebalanceProtocol === 'EAGER' || this.generationId < 0) {
      const partitions = this.owned;
      this.owned = [];
      if (partitions.length > 0) await this.invoke('revoked', partitions, errors);
    } else {
      const topics = new Set(this.subscription);
      const dropped = this.owned.filter((tp) => !topics.has(tp.topic));
      if (dropped.length > 0) {
        this.owned = this.owned.filter((tp) => topics.has(tp.topic));
        await this.invoke('revoked', dropped, errors);
      }
    }

    this.stopHeartbeats();
    this.joining = true;
    const topics = [...this.subscription];
    try {
      return await this.joinAndSyncRound(topics, signal, errors);
    } catch (err) {
      // The poll fails (aborted, closed, refused): the member keeps whatever generation it has
      // and heartbeats on, so the group keeps it until it polls again.
      if (this.generationId >= 0 && this.fenced === undefined && !this.closed) this.startHeartbeats();
      throw err;
    } finally {
      this.joining = false;
    }
  }

  /** Joins, runs the assignor when leader, syncs and applies the result; see joinAndSync. */
  private async joinAndSyncRound(topics: string[], signal: AbortSignal, errors: unknown[]): Promise<boolean> {
    const metadata = encodeSubscription({
      topics,
      ownedPartitions: this.owned,
      generation: this.generationId,
    });
    let join;
    try {
      join = await this.coordinator.joinGroup({
        groupId: this.groupId,
        memberId: this.memberId,
        clientId: this.clientId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: this.assignors.map((a) => ({ name: a.name, metadata })),
        signal,
      });
    } catch (err) {
      return await this.retryable(err, errors);
    }
    // Kept even if this round fails, so the retry does not join as yet another member.
    this.memberId = join.memberId;

    const assignor = this.assignors.find((a) => a.name === join.protocolName);
    if (!assignor) {
      throw new LogError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `group ${this.groupId} chose assignor ${join.protocolName}, which this member does not have`,
      );
    }
    const isLeader = join.leaderId === join.memberId;
    const counts = new Map<string, number | undefined>();
    const assignments = isLeader ? this.assign(assignor, join.members, counts) : [];

    let synced;
    try {
      synced = await this.coordinator.syncGroup({
        groupId: this.groupId,
        generationId: join.generationId,
        memberId: join.memberId,
        assignments,
        signal,
      });
    } catch (err) {
      return await this.retryable(err, errors);
    }
    const assigned = decodeAssignment(synced.assignment).partitions;

    this.generationId = join.generationId;
    this.rebalanceProtocol = assignor.rebalanceProtocol;
    this.isLeader = isLeader;
    this.partitionCounts = counts;
    this.joinedTopics = topics;
    this.rejoinNeeded = false;
    this.startHeartbeats();

    const assignedKeys = new Set(assigned.map(topicPartitionKey));
    const ownedKeys = new Set(this.owned.map(topicPartitionKey));
    const revoked = this.owned.filter((tp) => !assignedKeys.has(topicPartitionKey(tp)));
    const added = assigned.filter((tp) => !ownedKeys.has(topicPartitionKey(tp)));
    if (revoked.length > 0) {
      this.owned = this.owned.filter((tp) => assignedKeys.has(topicPartitionKey(tp)));
      await this.invoke('revoked', revoked, errors);
      // The partitions just revoked are waiting for their new owner: rebalance again.
      this.rejoinNeeded = true;
    }
    this.owned = assigned;
    await this.invoke('assigned', added, errors);
    return true;
  }

  /** Decides what a failed join or sync means: false to retry, or rethrows. */
  private async retryable(err: unknown, errors: unknown[]): Promise<boolean> {
    if (isLogError(err, 'REBALANCE_IN_PROGRESS')) {
      this.rejoinNeeded = true;
      return false;
    }
    if (isLogError(err, 'UNKNOWN_MEMBER_ID') || isLogError(err, 'ILLEGAL_GENERATION')) {
      this.fenced = err.code;
      await this.losePartitions(errors);
      return false;
    }
    throw err;
  }

  /** Leader: runs the group's assignor over every member's subscription. */
  private assign(
    assignor: PartitionAssignor,
    members: readonly GroupMemberMetadata[],
    counts: Map<string, number | undefined>,
  ): { memberId: string; assignment: Buffer }[] {
    const subscriptions = new Map<MemberId, MemberSubscription>();
    for (const member of members) {
      const s = decodeSubscription(member.metadata);
      subscriptions.set(member.memberId, {
        topics: s.topics,
        ownedPartitions: s.ownedPartitions,
        generation: s.generation,
      });
      for (const topic of s.topics)
        if (!counts.has(topic)) counts.set(topic, this.options.partitionCount(topic));
    }
    const partitionsPerTopic = new Map<string, number>();
    for (const [topic, count] of counts)
      if (count !== undefined && count > 0) partitionsPerTopic.set(topic, count);
    const safe = withholdTransfers(
      assignor.assign(partitionsPerTopic, subscriptions),
      resolveOwnership(subscriptions),
    );
    return members.map((m) => ({
      memberId: m.memberId,
      assignment: encodeAssignment({ partitions: safe.get(m.memberId) ?? [] }),
    }));
  }

  private async losePartitions(errors: unknown[]): Promise<void> {
    const partitions = this.owned;
    this.owned = [];
    if (partitions.length > 0) await this.invoke('lost', partitions, errors);
    // Leaving under the old id spares the group a wait for that member's session to expire.
    await this.leave();
    // Only now: a commit the listener tried under the old membership fails and fences it again.
    this.fenced = undefined;
  }

  private async leave(): Promise<void> {
    this.stopHeartbeats();
    const memberId = this.memberId;
    this.memberId = '';
    this.generationId = NO_GENERATION;
    this.rebalanceProtocol = 'EAGER';
    this.isLeader = false;
    this.partitionCounts = new Map();
    this.joinedTopics = undefined;
    this.rejoinNeeded = true;
    if (memberId === '') return;
    try {
      await this.coordinator.leaveGroup(this.groupId, memberId);
    } catch {
      // Already gone (expired, fenced) or the coordinator closed: nothing left to leave.
    }
  }

  private async invoke(
    kind: 'revoked' | 'assigned' | 'lost',
    partitions: TopicPartition[],
    errors: unknown[],
  ) {
    const listener = this.options.listener;
    const copy = partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
    try {
      if (kind === 'assigned') await listener.onPartitionsAssigned(copy);
      else if (kind === 'lost' && listener.onPartitionsLost) await listener.onPartitionsLost(copy);
      else await listener.onPartitionsRevoked(copy);
    } catch (err) {
      errors.push(err);
    }
  }

  private partitionCountsChanged(): boolean {
    for (const [topic, count] of this.partitionCounts) {
      if (this.options.partitionCount(topic) !== count) return true;
    }
    return false;
  }

  private subscriptionChanged(): boolean {
    const joined = this.joinedTopics;
    if (joined === undefined) return this.subscription.length > 0;
    return joined.length !== this.subscription.length || joined.some((t, i) => t !== this.subscription[i]);
  }

  // ---- heartbeats ----------------------------------------------------------------------------

  private startHeartbeats(): void {
    this.stopHeartbeats();
    if (this.closed) return;
    this.scheduleHeartbeat(this.heartbeatEpoch);
  }

  private stopHeartbeats(): void {
    this.heartbeatEpoch++;
    if (this.heartbeatTimer !== undefined) this.timers.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private scheduleHeartbeat(epoch: number): void {
    this.heartbeatTimer = this.timers.setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.heartbeat(epoch).catch(() => undefined);
    }, this.heartbeatIntervalMs);
  }

  private async heartbeat(epoch: number): Promise<void> {
    if (epoch !== this.heartbeatEpoch || this.closed) return;
    if (!this.polling && this.timers.now() - this.lastPollAt > this.maxPollIntervalMs) {
      // Kafka's max.poll.interval.ms: a consumer that stopped polling leaves, so its partitions
      // move on instead of stalling; it finds them lost when it polls again.
      this.fence('poll interval exceeded');
      void this.coordinator.leaveGroup(this.groupId, this.memberId).catch(() => undefined);
      return;
    }
    const ref = this.memberRef();
    try {
      await this.coordinator.heartbeat(ref);
    } catch (err) {
      if (epoch !== this.heartbeatEpoch || !this.isCurrent(ref)) return;
      if (isLogError(err, 'REBALANCE_IN_PROGRESS')) {
        this.requestRejoin();
      } else if (isLogError(err, 'UNKNOWN_MEMBER_ID') || isLogError(err, 'ILLEGAL_GENERATION')) {
        this.fence(err.code);
        return;
      } else if (isLogError(err, 'CLOSED')) {
        return;
      }
      // Anything else is transient: try again at the next interval.
    }
    if (epoch === this.heartbeatEpoch && !this.closed) this.scheduleHeartbeat(epoch);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private fence(reason: string): void {
    this.fenced = reason;
    this.rejoinNeeded = true;
    this.stopHeartbeats();
    this.notifyRejoinNeeded();
  }

  private requestRejoin(): void {
    const was = this.rejoinNeeded;
    this.rejoinNeeded = true;
    if (!was) this.notifyRejoinNeeded();
  }

  private notifyRejoinNeeded(): void {
    try {
      this.options.onRejoinNeeded?.();
    } catch {
      // A hint only: the next poll rejoins regardless.
    }
  }

  private isCurrent(ref: MemberRef): boolean {
    return ref.generationId === this.generationId && ref.memberId === this.memberId;
  }

  private serialize(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): LogError {
    return new LogError('CLOSED', `consumer group member of ${this.groupId} is closed`);
  }
}

function aborted(signal: AbortSignal): LogError {
  return new LogError('ABORTED', 'poll was aborted', {}, { cause: signal.reason });
}
