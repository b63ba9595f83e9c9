import type { PluginDescriptor } from '@sluice/connect-api';
import { HttpSinkConnector } from './http-sink.connector.js';
import { HttpSourceConnector } from './http-source.connector.js';
import { VERSION } from './version.js';

export { HttpSinkConnector } from './http-sink.connector.js';
export { HttpSinkTask } from './http-sink.task.js';
export { HttpSinkConfig } from './http-sink.config.js';
export { HttpSourceConnector } from './http-source.connector.js';
export { HttpSourceTask } from './http-source.task.js';
export { HttpSourceConfig } from './http-source.config.js';

export const plugins: PluginDescriptor[] = [
  {
    type: 'source',
    name: 'http-source',
    className: 'io.sluice.connect.http.HttpSourceConnector',
    version: VERSION,
    description:
      'Webhooks (POST /ingest/{connector}, answered once durable, signatures checked) or a polled HTTP API with pagination, into a topic.',
    create: () => new HttpSourceConnector(),
    // webhook requests arrive on the main thread's listener: handing each to a task thread and
    // its records back costs about as much CPU again as the task's own work
    mainThread: true,
  },
  {
    type: 'sink',
    name: 'http-sink',
    className: 'io.sluice.connect.http.HttpSinkConnector',
    version: VERSION,
    description:
      'POSTs records in batches (JSON array, NDJSON or one per request), retrying with backoff, in order per partition, with an Idempotency-Key.',
    create: () => new HttpSinkConnector(),
  },
];
