import type { PluginDescriptor } from '@sluice/connect-api';
import { POSTGRES_SINK_PLUGIN } from './sink/index.js';

/** The Postgres connectors (registered as they land). */
export const plugins: PluginDescriptor[] = [POSTGRES_SINK_PLUGIN];
