import type { Connector } from './connector.js';
import type { Converter } from './converter.js';
import type { Predicate, Transformation } from './transformation.js';

interface PluginBase {
  /** The short name users write in connector.class, e.g. "file-source". */
  name: string;
  /** Kafka Connect-style class name, also accepted in connector.class. */
  className: string;
  /** Further accepted names. */
  aliases?: string[];
  version: string;
  description?: string;
}

export type PluginDescriptor =
  | (PluginBase & {
      type: 'source' | 'sink';
      create(): Connector;
      /**
       * Run this connector's tasks in the worker's main thread even when the worker runs tasks in
       * task threads: for tasks fed by the main thread (webhooks on its REST listener), where
       * handing every request and record between threads costs more than the thread saves.
       */
      mainThread?: boolean;
    })
  | (PluginBase & { type: 'transformation'; create(): Transformation })
  | (PluginBase & { type: 'predicate'; create(): Predicate })
  | (PluginBase & { type: 'converter'; create(): Converter });

/**
 * A connector package declares its plugins by exporting `plugins: PluginDescriptor[]` from the
 * module its package.json names under `"sluice": { "plugins": "<module>" }`.
 */
export interface PluginModule {
  plugins: PluginDescriptor[];
}
