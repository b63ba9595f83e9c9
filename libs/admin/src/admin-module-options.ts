import type { Log } from '@sluice/log';
import type { Herder } from '@sluice/runtime';
import type { Registry } from 'prom-client';
import type { LoggerLevels } from './loggers/logger-levels.js';

/** Who may call the API. `/health` stays open whatever is chosen. */
export type AuthOptions =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  /** users: name to password. */
  | { type: 'basic'; users: Readonly<Record<string, string>> };

export interface AdminModuleOptions {
  /** Every connector operation goes to the herder; the REST layer never touches tasks. */
  herder: Herder;
  /** Serves /topics and /health. */
  log: Log;
  /** Served as Prometheus text at /metrics (StandaloneHerder.metrics.registry). */
  metricsRegistry: Registry;
  auth: AuthOptions;
  /** Reported by GET / as Kafka Connect reports its own version and commit. */
  version: string;
  commit: string;
  /** GET / reports it as kafka_cluster_id; null when left out. */
  kafkaClusterId?: string;
  /**
   * Config keys to hide in responses besides those declared PASSWORD and those whose name looks
   * secret (password, secret, token, credentials): exact names or patterns.
   */
  secretFields?: readonly (string | RegExp)[];
  /**
   * The worker's loggers, for /admin/loggers and the request log. Build it on the worker's root
   * pino logger and take the runtime's loggers from it, so levels set over REST reach them.
   * Default: a LoggerLevels over a new pino logger writing to stdout.
   */
  loggers?: LoggerLevels;
}
