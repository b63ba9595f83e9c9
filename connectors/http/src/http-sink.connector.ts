import {
  ConnectError,
  parseConfig,
  type ConfigClass,
  type ConfigValidationResult,
  type ConnectorContext,
  type SinkConnector,
  type SinkTask,
} from '@sluice/connect-api';
import { HttpSinkConfig } from './http-sink.config.js';
import { HttpSinkTask } from './http-sink.task.js';
import { authConfigProblems } from './request-authorizer.js';
import { requestHeadersOf } from './request-headers.js';
import { httpUrlProblems } from './url-problems.js';
import { VERSION } from './version.js';

/**
 * Delivers topics to an HTTP endpoint (see HttpSinkTask). Every task gets the same config; the
 * consumer group spreads the partitions, and as order is kept per partition, tasks never share
 * an ordering concern.
 */
export class HttpSinkConnector implements SinkConnector {
  readonly kind = 'sink';
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return VERSION;
  }

  configClass(): ConfigClass {
    return HttpSinkConfig;
  }

  validate(config: Readonly<Record<string, string>>): ConfigValidationResult {
    return { errors: problemsOf(config) };
  }

  start(config: Readonly<Record<string, string>>, _context: ConnectorContext): void {
    const problems = problemsOf(config);
    if (problems.length > 0) throw new ConnectError(problems.flatMap((p) => p.messages).join('; '));
    this.config = { ...config };
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: Math.max(1, Math.floor(maxTasks)) }, () => ({ ...this.config }));
  }

  stop(): void {}

  createTask(): SinkTask {
    return new HttpSinkTask();
  }
}

function problemsOf(config: Readonly<Record<string, string>>): { field: string; messages: string[] }[] {
  const parsed = parseConfig(HttpSinkConfig, config);
  if (!parsed.ok) return parsed.errors;
  const problems = authConfigProblems(parsed.config);
  const urlProblems = httpUrlProblems(
    'http.url',
    parsed.config['http.url'].replace(/\$\{(topic|key)\}/g, 'x'),
  );
  if (urlProblems.length > 0) problems.push({ field: 'http.url', messages: urlProblems });
  for (const p of requestHeadersOf(config).problems) problems.push({ field: p.field, messages: [p.message] });
  return problems;
}
