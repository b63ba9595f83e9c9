import type { PluginDescriptor } from '@sluice/connect-api';

/** The HTTP connectors (registered as they land). */
export const plugins: PluginDescriptor[] = [];
