import type { PluginDescriptor } from '@sluice/connect-api';

/** The Postgres connectors (registered as they land). */
export const plugins: PluginDescriptor[] = [];
