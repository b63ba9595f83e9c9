import {
  ConnectError,
  parseConfig,
  type ConfigClass,
  type ConfigValidationResult,
  type ConnectorContext,
  type SourceConnector,
  type SourceTask,
} from '@sluice/connect-api';
import { FieldPathError, pathSegments } from './field-path.js';
import { HttpSourceConfig } from './http-source.config.js';
import { HttpSourceTask } from './http-source.task.js';
import { authConfigProblems } from './request-authorizer.js';
import { VERSION } from './version.js';

/**
 * Takes webhooks (POST /ingest/{connector}, on the worker's REST port or on one of its own) or
 * polls an HTTP API into a topic. One task: webhook requests go to one handler (or listener) per
 * connector, and a polled API has one position.
 */
export class HttpSourceConnector implements SourceConnector {
  readonly kind = 'source';
  private config: Readonly<Record<string, string>> = {};

  version(): string {
    return VERSION;
  }

  configClass(): ConfigClass {
    return HttpSourceConfig;
  }

  validate(config: Readonly<Record<string, string>>): ConfigValidationResult {
    return { errors: problemsOf(config) };
  }

  start(config: Readonly<Record<string, string>>, _context: ConnectorContext): void {
    const problems = problemsOf(config);
    if (problems.length > 0) throw new ConnectError(problems.flatMap((p) => p.messages).join('; '));
    this.config = { ...config };
  }

  taskConfigs(): Record<string, string>[] {
    return [{ ...this.config }];
  }

  stop(): void {}

  createTask(): SourceTask {
    return new HttpSourceTask();
  }
}

function problemsOf(raw: Readonly<Record<string, string>>): { field: string; messages: string[] }[] {
  const parsed = parseConfig(HttpSourceConfig, raw);
  if (!parsed.ok) return parsed.errors;
  const config = parsed.config;
  const problems: { field: string; messages: string[] }[] = [];
  const paths: (keyof HttpSourceConfig & string)[] = ['key.field'];
  problems.push(...listenerProblems(config, raw));
  if (config.mode === 'poll') {
    problems.push(...authConfigProblems(config));
    try {
      const url = new URL(config['http.url']);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      problems.push({
        field: 'http.url',
        messages: ['http.url must be an http: or https: URL in poll mode'],
      });
    }
    paths.push('records.pointer');
    if (config['pagination.mode'] === 'cursor') {
      paths.push('pagination.cursor.pointer');
      if (config['pagination.cursor.pointer'] === '')
        problems.push({
          field: 'pagination.cursor.pointer',
          messages: ['pagination.cursor.pointer is required with pagination.mode=cursor'],
        });
    }
    if (config['pagination.mode'] === 'next_link') paths.push('pagination.next.pointer');
  }
  for (const field of paths) {
    try {
      pathSegments(config[field] as string);
    } catch (err) {
      if (err instanceof FieldPathError) problems.push({ field, messages: [err.message] });
      else throw err;
    }
  }
  return problems;
}

/** The connector's own webhook listener is a webhook-mode setting, and its host goes with a port. */
function listenerProblems(
  config: HttpSourceConfig,
  raw: Readonly<Record<string, string>>,
): { field: string; messages: string[] }[] {
  const portSet = config['webhook.listener.port'] !== undefined;
  const hostSet = raw['webhook.listener.host'] !== undefined && raw['webhook.listener.host'] !== '';
  const problems: { field: string; messages: string[] }[] = [];
  if (config.mode !== 'webhook') {
    for (const [field, set] of [
      ['webhook.listener.port', portSet],
      ['webhook.listener.host', hostSet],
    ] as const) {
      if (set) problems.push({ field, messages: [`${field} is for mode=webhook only, not ${config.mode}`] });
    }
  } else if (hostSet && !portSet) {
    problems.push({
      field: 'webhook.listener.host',
      messages: [
        'webhook.listener.host needs webhook.listener.port: without a port there is no listener of its own',
      ],
    });
  }
  return problems;
}
