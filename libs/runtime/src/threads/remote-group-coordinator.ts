import type {
  CommittedOffset,
  GroupCoordinator,
  GroupDescription,
  GroupState,
  MemberRef,
  OffsetCommit,
  TopicPartition,
} from '@sluice/log';
import type { RpcChannel } from './rpc-channel.js';

type Join = Parameters<GroupCoordinator['joinGroup']>[0];
type Sync = Parameters<GroupCoordinator['syncGroup']>[0];

/** The group coordinator as a task thread sees it: the main thread's, over the channel. */
export class RemoteGroupCoordinator implements GroupCoordinator {
  constructor(private readonly channel: RpcChannel) {}

  joinGroup(request: Join): ReturnType<GroupCoordinator['joinGroup']> {
    const { signal, ...rest } = request;
    return this.channel.call('coordinator.joinGroup', [rest], { signal });
  }

  syncGroup(request: Sync): ReturnType<GroupCoordinator['syncGroup']> {
    const { signal, ...rest } = request;
    return this.channel.call('coordinator.syncGroup', [rest], { signal });
  }

  heartbeat(member: MemberRef): Promise<void> {
    return this.channel.call('coordinator.heartbeat', [member]);
  }

  leaveGroup(groupId: string, memberId: string): Promise<void> {
    return this.channel.call('coordinator.leaveGroup', [groupId, memberId]);
  }

  commitOffsets(member: MemberRef, offsets: OffsetCommit[]): Promise<void> {
    return this.channel.call('coordinator.commitOffsets', [member, offsets]);
  }

  fetchOffsets(groupId: string, partitions?: TopicPartition[]): Promise<CommittedOffset[]> {
    return this.channel.call('coordinator.fetchOffsets', [groupId, partitions]);
  }

  deleteOffsets(groupId: string, partitions?: TopicPartition[]): Promise<void> {
    return this.channel.call('coordinator.deleteOffsets', [groupId, partitions]);
  }

  forgetTopic(topic: string): Promise<void> {
    return this.channel.call('coordinator.forgetTopic', [topic]);
  }

  listGroups(): Promise<{ groupId: string; protocolType: string; state: GroupState }[]> {
    return this.channel.call('coordinator.listGroups', []);
  }

  describeGroup(groupId: string): Promise<GroupDescription> {
    return this.channel.call('coordinator.describeGroup', [groupId]);
  }

  async close(): Promise<void> {
    // the main thread owns the coordinator
  }
}
