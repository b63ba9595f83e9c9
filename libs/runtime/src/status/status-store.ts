import type { Log } from '@sluice/log';
import type { ConnectorState } from '../herder/herder.js';
import { CompactedTopicStore } from '../storage/compacted-topic-store.js';
import { INTERNAL_TOPICS } from '../storage/internal-topics.js';

export interface StoredStatus {
  state: ConnectorState;
  trace?: string;
  worker_id: string;
  /** When it was set, ms since the epoch. */
  at: number;
}

/** Connector and task statuses, and the topics each connector used, in the status topic. */
export class StatusStore {
  private readonly store: CompactedTopicStore<StoredStatus | { topics: string[] }>;

  constructor(log: Log) {
    this.store = new CompactedTopicStore(log, INTERNAL_TOPICS.status);
  }

  open(): Promise<void> {
    return this.store.open();
  }

  connector(name: string): StoredStatus | undefined {
    return this.store.get(`status-connector-${name}`) as StoredStatus | undefined;
  }

  task(name: string, task: number): StoredStatus | undefined {
    return this.store.get(`status-task-${name}-${task}`) as StoredStatus | undefined;
  }

  putConnector(name: string, status: StoredStatus): Promise<void> {
    return this.store.put(`status-connector-${name}`, status);
  }

  putTask(name: string, task: number, status: StoredStatus): Promise<void> {
    return this.store.put(`status-task-${name}-${task}`, status);
  }

  deleteTask(name: string, task: number): Promise<void> {
    return this.store.delete(`status-task-${name}-${task}`);
  }

  topics(name: string): string[] {
    return (this.store.get(`topics-${name}`) as { topics: string[] } | undefined)?.topics ?? [];
  }

  async addTopic(name: string, topic: string): Promise<void> {
    const topics = this.topics(name);
    if (!topics.includes(topic))
      await this.store.put(`topics-${name}`, { topics: [...topics, topic].sort() });
  }

  async resetTopics(name: string): Promise<void> {
    if (this.store.get(`topics-${name}`)) await this.store.delete(`topics-${name}`);
  }

  async deleteConnector(name: string, tasks: number): Promise<void> {
    for (let t = 0; t < tasks; t++) if (this.task(name, t)) await this.deleteTask(name, t);
    if (this.connector(name)) await this.store.delete(`status-connector-${name}`);
    await this.resetTopics(name);
  }
}
