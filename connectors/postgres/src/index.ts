import type { PluginDescriptor } from '@sluice/connect-api';
import { POSTGRES_SINK_PLUGIN } from './sink/index.js';
import { POSTGRES_SOURCE_PLUGIN } from './source/index.js';

/** The Postgres connectors (registered as they land). */
export const plugins: PluginDescriptor[] = [POSTGRES_SOURCE_PLUGIN, POSTGRES_SINK_PLUGIN];
