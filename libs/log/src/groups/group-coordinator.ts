import type { TopicPartition } from '../record.js';

/*
 * Group coordination after Kafka's classic group protocol, so that consumer groups (sink tasks)
 * and, later, worker membership in cluster mode run on the same machinery:
 *
 *   member ── joinGroup ──► coordinator waits for every known member to (re)join, or for the
 *                           rebalance timeout; picks a leader; bumps the generation
 *   leader ◄── members and their subscriptions
 *   leader ── syncGroup(assignments) ──► coordinator hands each member its assignment
 *   member ── heartbeat ──► REBALANCE_IN_PROGRESS when someone joined or left: rejoin
 *   member ── leaveGroup ──► immediate rebalance for the others
 *   a member silent for sessionTimeoutMs is removed, which starts a rebalance
 *
 * Errors are LogErrors with codes UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS,
 * INCONSISTENT_GROUP_PROTOCOL. The in-process coordinator runs it in memory; a Postgres one will
 * keep the same contract with rows and leases.
 */

export interface GroupProtocol {
  /** Assignor name, e.g. "range" or "cooperative-sticky". */
  name: string;
  /** Opaque to the coordinator: the member's subscription as the assignor encodes it. */
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  /** Empty on first join: the coordinator assigns one. */
  memberId: string;
  /** Informational, shown by describeGroup. */
  clientId?: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** "consumer" for consumer groups, "connect" for worker groups. */
  protocolType: string;
  /** In order of preference. */
  protocols: GroupProtocol[];
  signal?: AbortSignal;
}

export interface GroupMemberMetadata {
  memberId: string;
  clientId?: string;
  metadata: Buffer;
}

export interface JoinGroupResponse {
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  /** Filled for the leader only. */
  members: GroupMemberMetadata[];
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** The leader sends every member's assignment; followers send none. */
  assignments: { memberId: string; assignment: Buffer }[];
  signal?: AbortSignal;
}

export interface MemberRef {
  groupId: string;
  generationId: number;
  memberId: string;
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string;
}

export interface CommittedOffset extends TopicPartition {
  offset: number;
  metadata: string;
}

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  generationId: number;
  leaderId: string;
  members: { memberId: string; clientId?: string; assignment: Buffer }[];
}

export interface GroupCoordinator {
  joinGroup(request: JoinGroupRequest): Promise<JoinGroupResponse>;
  syncGroup(request: SyncGroupRequest): Promise<{ assignment: Buffer }>;
  heartbeat(member: MemberRef): Promise<void>;
  leaveGroup(groupId: string, memberId: string): Promise<void>;

  /**
   * Stores offsets for the group. With a member (generationId >= 0) the commit is fenced: it fails
   * with ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID when the member is no longer current. Without
   * (generationId -1, memberId "") it is an admin commit, allowed only while the group is empty.
   */
  commitOffsets(member: MemberRef, offsets: OffsetCommit[]): Promise<void>;
  /** Committed offsets of the group, for the given partitions or all of them. */
  fetchOffsets(groupId: string, partitions?: TopicPartition[]): Promise<CommittedOffset[]>;
  /** Forgets committed offsets (all, or of the given partitions); the group must be empty. */
  deleteOffsets(groupId: string, partitions?: TopicPartition[]): Promise<void>;
  /**
   * Forgets every group's offsets for a deleted topic, members or not (as Kafka's coordinator
   * does), so that a topic created again under the name is read from its start, not from
   * positions in the old one.
   */
  forgetTopic(topic: string): Promise<void>;

  listGroups(): Promise<{ groupId: string; protocolType: string; state: GroupState }[]>;
  describeGroup(groupId: string): Promise<GroupDescription>;

  close(): Promise<void>;
}
