import type { Log } from '@sluice/log';
import { CompactedTopicStore } from '../storage/compacted-topic-store.js';
import { INTERNAL_TOPICS } from '../storage/internal-topics.js';
import type { TargetState } from './herder.js';

type Entry =
  | { config: Record<string, string> }
  | { state: TargetState }
  | { tasks: Record<string, string>[] }
  | { origin: string };

/**
 * Connector configs (as written by the user: ${...} references unresolved, so resolved secrets
 * never reach the log), target states and task configs, in the configs topic.
 */
export class ConfigStore {
  private readonly store: CompactedTopicStore<Entry>;

  constructor(log: Log) {
    this.store = new CompactedTopicStore<Entry>(log, INTERNAL_TOPICS.configs);
  }

  open(): Promise<void> {
    return this.store.open();
  }

  connectors(): string[] {
    return this.store
      .entries()
      .filter(([k]) => k.startsWith('connector-'))
      .map(([k]) => k.slice('connector-'.length))
      .sort();
  }

  config(name: string): Record<string, string> | undefined {
    return (this.store.get(`connector-${name}`) as { config: Record<string, string> } | undefined)?.config;
  }

  targetState(name: string): TargetState {
    return (this.store.get(`target-state-${name}`) as { state: TargetState } | undefined)?.state ?? 'STARTED';
  }

  taskConfigs(name: string): Record<string, string>[] {
    return (
      (this.store.get(`task-configs-${name}`) as { tasks: Record<string, string>[] } | undefined)?.tasks ?? []
    );
  }

  putConfig(name: string, config: Record<string, string>): Promise<void> {
    return this.store.put(`connector-${name}`, { config });
  }

  putTargetState(name: string, state: TargetState): Promise<void> {
    return this.store.put(`target-state-${name}`, { state });
  }

  putTaskConfigs(name: string, tasks: Record<string, string>[]): Promise<void> {
    return this.store.put(`task-configs-${name}`, { tasks });
  }

  /** Where a connector's config came from (a YAML file), for connectors the file reconciler owns. */
  origin(name: string): string | undefined {
    return (this.store.get(`origin-${name}`) as { origin: string } | undefined)?.origin;
  }

  async putOrigin(name: string, origin: string | undefined): Promise<void> {
    if (origin === undefined) {
      if (this.origin(name) !== undefined) await this.store.delete(`origin-${name}`);
    } else if (this.origin(name) !== origin) {
      await this.store.put(`origin-${name}`, { origin });
    }
  }

  async delete(name: string): Promise<void> {
    if (this.origin(name) !== undefined) await this.store.delete(`origin-${name}`);
    await this.store.delete(`task-configs-${name}`);
    await this.store.delete(`target-state-${name}`);
    await this.store.delete(`connector-${name}`);
  }
}
