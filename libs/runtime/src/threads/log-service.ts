import type { FetchRequest, Log } from '@sluice/log';
import { type Handler, withTransfer } from './rpc-channel.js';

/**
 * The main thread's side of RemoteLogStorage and RemoteGroupCoordinator: calls from task threads
 * run against the worker's own storage and coordinator. Fetched batches are handed over.
 */
export function logServiceHandler(log: Log): Handler {
  const storage = log.storage;
  const coordinator = log.coordinator;
  return async (method, args, signal) => {
    switch (method) {
      case 'storage.partitionCounts': {
        const counts: Record<string, number> = {};
        for (const topic of await storage.listTopics()) counts[topic] = storage.partitionCount(topic) ?? 0;
        return counts;
      }
      case 'storage.append':
        return storage.append(args[0] as string, args[1] as number, args[2] as Buffer);
      case 'storage.fetch': {
        const request = { ...(args[2] as FetchRequest), signal };
        const result = await storage.fetch(args[0] as string, args[1] as number, request);
        const batches = result.batches;
        // a fetch buffer of its own can be handed over; one sharing a pool is copied
        if (
          batches.length >= 4096 &&
          batches.byteOffset === 0 &&
          batches.byteLength === batches.buffer.byteLength
        ) {
          return withTransfer(result, [batches.buffer as ArrayBuffer]);
        }
        return result;
      }
      case 'storage.createTopic':
        return storage.createTopic(args[0] as string, args[1] as number, args[2] as never);
      case 'storage.deleteTopic':
        return storage.deleteTopic(args[0] as string);
      case 'storage.listTopics':
        return storage.listTopics();
      case 'storage.describeTopic':
        return storage.describeTopic(args[0] as string);
      case 'storage.alterTopicConfig':
        return storage.alterTopicConfig(args[0] as string, args[1] as never);
      case 'storage.offsetForTimestamp':
        return storage.offsetForTimestamp(args[0] as string, args[1] as number, args[2] as number);
      case 'storage.offsets':
        return storage.offsets(args[0] as string, args[1] as number);
      case 'storage.runCleaner':
        return storage.runCleaner();
      case 'coordinator.joinGroup':
        return coordinator.joinGroup({ ...(args[0] as Parameters<typeof coordinator.joinGroup>[0]), signal });
      case 'coordinator.syncGroup':
        return coordinator.syncGroup({ ...(args[0] as Parameters<typeof coordinator.syncGroup>[0]), signal });
      case 'coordinator.heartbeat':
        return coordinator.heartbeat(args[0] as never);
      case 'coordinator.leaveGroup':
        return coordinator.leaveGroup(args[0] as string, args[1] as string);
      case 'coordinator.commitOffsets':
        return coordinator.commitOffsets(args[0] as never, args[1] as never);
      case 'coordinator.fetchOffsets':
        return coordinator.fetchOffsets(args[0] as string, args[1] as never);
      case 'coordinator.deleteOffsets':
        return coordinator.deleteOffsets(args[0] as string, args[1] as never);
      case 'coordinator.forgetTopic':
        return coordinator.forgetTopic(args[0] as string);
      case 'coordinator.listGroups':
        return coordinator.listGroups();
      case 'coordinator.describeGroup':
        return coordinator.describeGroup(args[0] as string);
      default:
        return undefined;
    }
  };
}
