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
import { requestHeadersOf } from './request-headers.js';
import { httpUrlProblems } from './url-problems.js';
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
  if (config.mode === 'webhook') problems.push(...secretProblems(raw));
  if (config.mode === 'poll') {
    problems.push(...authConfigProblems(config));
    const urlProblems = httpUrlProblems('http.url', config['http.url']);
    if (urlProblems.length > 0) problems.push({ field: 'http.url', messages: urlProblems });
    for (const p of requestHeadersOf(raw).problems) problems.push({ field: p.field, messages: [p.message] });
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

/**
 * Authentication must not turn off by accident: webhook.secret written but empty (say an
 * ${env:...} variable set to nothing) is refused rather than taken as "no authentication", and so
 * is a secret header without the secret it should carry.
 */
function secretProblems(raw: Readonly<Record<string, string>>): { field: string; messages: string[] }[] {
  const secret = raw['webhook.secret'];
  if (secret !== undefined && secret.trim() === '')
    return [
      {
        field: 'webhook.secret',
        messages: [
          'webhook.secret is empty (a variable set to nothing?): leave the setting out to take requests without authentication',
        ],
      },
    ];
  if ((raw['webhook.secret.header'] ?? '') !== '' && secret === undefined)
    return [
      {
        field: 'webhook.secret.header',
        messages: ['webhook.secret.header needs webhook.secret, the value requests must carry in it'],
      },
    ];
  return [];
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
