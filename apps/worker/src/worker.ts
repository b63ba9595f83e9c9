import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  INGEST_MAX_BODY_BYTES,
  LoggerLevels,
  ingestServerFactory,
  restFrameworkErrors,
  setupAdminDocs,
  type AuthOptions,
} from '@sluice/admin';
import { ConfigError, resolveConfig, type WorkerConfig } from '@sluice/config';
import { isCompressionSupported } from '@sluice/log';
import { pino } from 'pino';
import { PinoNestLogger } from './pino-nest-logger.js';
import { versionInfo } from './version.js';
import { WorkerModule } from './worker.module.js';
import { WorkerRuntime } from './worker-runtime.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MIN_PASSWORD_LENGTH = 8;

/** The REST auth of worker.yaml, with ${...} references resolved (the token lives in env or a file). */
export async function authOf(config: WorkerConfig): Promise<AuthOptions> {
  const auth = config.rest.auth;
  // credentials given for another type than the one chosen would be ignored: the API left open
  // by someone who believes it closed (SLUICE_REST_AUTH_TOKEN set, rest.auth.type forgotten)
  if (auth.token !== undefined && auth.type !== 'bearer')
    throw new ConfigError([
      {
        field: 'rest.auth.token',
        message: `a token is set but rest.auth.type is ${auth.type}: set type: bearer, or remove the token`,
      },
    ]);
  if (auth.users !== undefined && auth.type !== 'basic')
    throw new ConfigError([
      {
        field: 'rest.auth.users',
        message: `users are set but rest.auth.type is ${auth.type}: set type: basic, or remove them`,
      },
    ]);
  if (auth.type === 'none') {
    if (!LOOPBACK.has(config.rest.host)) {
      throw new ConfigError([
        {
          field: 'rest.host',
          message: `the admin API may listen on ${config.rest.host} only with rest.auth configured (bearer or basic); without auth it listens on 127.0.0.1`,
        },
      ]);
    }
    return { type: 'none' };
  }
  if (auth.type === 'bearer') {
    const token = (await resolveConfig({ token: auth.token ?? '' }))['token'] ?? '';
    if (token.length < 16)
      throw new ConfigError([
        { field: 'rest.auth.token', message: 'bearer auth needs a token of at least 16 characters' },
      ]);
    return { type: 'bearer', token };
  }
  const notText = Object.entries(auth.users ?? {}).filter(([, password]) => typeof password !== 'string');
  if (notText.length > 0)
    throw new ConfigError(
      notText.map(([user]) => ({
        field: `rest.auth.users.${user}`,
        message: 'a password is text: quote it in worker.yaml (a number or a list is not one)',
      })),
    );
  const users = await resolveConfig(auth.users ?? {});
  if (Object.keys(users).length === 0)
    throw new ConfigError([{ field: 'rest.auth.users', message: 'basic auth needs at least one user' }]);
  const weak = Object.entries(users).filter(([, password]) => password.length < MIN_PASSWORD_LENGTH);
  if (weak.length > 0)
    throw new ConfigError(
      weak.map(([user]) => ({
        field: `rest.auth.users.${user}`,
        message: `basic auth needs a password of at least ${MIN_PASSWORD_LENGTH} characters for each user`,
      })),
    );
  return { type: 'basic', users };
}

export interface RunningWorker {
  app: NestFastifyApplication;
  runtime: WorkerRuntime;
  url: string;
}

/**
 * What the worker refuses at start beyond worker.yaml's own validation (`sluice validate` checks
 * it too); the REST auth it runs with.
 */
export async function startChecks(config: WorkerConfig): Promise<AuthOptions> {
  if (!isCompressionSupported(config.producer['compression.type']))
    throw new ConfigError([
      { field: 'producer.compression.type', message: 'zstd needs Node 22.15 or later: use lz4 or gzip' },
    ]);
  return authOf(config);
}

/** Starts a standalone worker: log, plugins, connectors, and the admin API; resolves once listening. */
export async function startWorker(config: WorkerConfig): Promise<RunningWorker> {
  const auth = await startChecks(config);
  const root = pino({ name: 'sluice', level: process.env['SLUICE_LOG_LEVEL'] ?? 'info' });
  const loggers = new LoggerLevels(root);
  const runtime = await WorkerRuntime.start(
    config,
    loggers.logger('sluice.runtime'),
    loggers.logger('sluice.log'),
  );
  // /admin/loggers reaches the tasks in task threads, whose loggers are their own
  loggers.onChange((name, level) => {
    if (name === 'sluice.runtime') runtime.herder.setTaskLogLevel(level);
  });
  let app: NestFastifyApplication;
  try {
    const { version, commit } = versionInfo();
    app = await NestFactory.create<NestFastifyApplication>(
      WorkerModule.register(runtime, {
        herder: runtime.herder,
        log: runtime.log,
        metricsRegistry: runtime.herder.metrics.registry,
        auth,
        version,
        commit,
        loggers,
      }),
      new FastifyAdapter({
        bodyLimit: INGEST_MAX_BODY_BYTES,
        serverFactory: ingestServerFactory(runtime.herder, loggers),
        frameworkErrors: restFrameworkErrors,
      }),
      { logger: new PinoNestLogger(loggers.logger('sluice.nest')) },
    );
    setupAdminDocs(app);
    app.enableShutdownHooks();
    await app.listen(config.rest.port, config.rest.host);
  } catch (err) {
    await runtime.stopConnectors();
    await runtime.close();
    throw err;
  }
  const url = `http://${config.rest.host.includes(':') ? `[${config.rest.host}]` : config.rest.host}:${config.rest.port}`;
  root.info(
    { url, log: config.log.dir, connectors: config.connectors.dir },
    `Sluice worker listening on ${url}`,
  );
  return { app, runtime, url };
}
