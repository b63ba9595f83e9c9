/** The test connectors as a plugin module, for task threads (which load plugins by module). */
export { TEST_CONNECTOR_PLUGINS as plugins } from './test-connectors.js';
