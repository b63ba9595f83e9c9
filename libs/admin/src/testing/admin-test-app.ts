import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PluginDescriptor } from '@sluice/connect-api';
import { Log } from '@sluice/log';
import { PluginRegistry, StandaloneHerder } from '@sluice/runtime';
import { pino } from 'pino';
import { restFrameworkErrors } from '../errors/framework-errors.js';
import request from 'supertest';
import type { AdminModuleOptions, AuthOptions } from '../admin-module-options.js';
import { AdminModule } from '../admin.module.js';
import { ingestServerFactory } from '../ingest/ingest-server.js';
import { LoggerLevels } from '../loggers/logger-levels.js';
import { setupAdminDocs } from '../openapi/setup-admin-docs.js';
import { TEST_CONNECTOR_PLUGINS, TEST_JSON_CONVERTER, TEST_TRANSFORM_PLUGINS } from './test-plugins.js';

export interface AdminTestApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof request>;
  herder: StandaloneHerder;
  log: Log;
  loggers: LoggerLevels;
  /** Every line the worker's root logger wrote (JSON), request log included. */
  logLines: string[];
  /** Whether the runtime's converters were used (else the test JSON converter stands in). */
  runtimeConverters: boolean;
  close(): Promise<void>;
}

/**
 * The runtime's converter plugins when libs/runtime exports them (CONVERTER_PLUGINS), else a test
 * JSON converter under JsonConverter's class name, the worker's default converter.
 */
async function converterPlugins(): Promise<{ plugins: PluginDescriptor[]; fromRuntime: boolean }> {
  const runtime = (await import('@sluice/runtime')) as unknown as Record<string, unknown>;
  const plugins = runtime['CONVERTER_PLUGINS'];
  return Array.isArray(plugins)
    ? { plugins: plugins as PluginDescriptor[], fromRuntime: true }
    : { plugins: [TEST_JSON_CONVERTER], fromRuntime: false };
}

/**
 * A real admin API for tests: the embedded log in a temp dir, a StandaloneHerder with the test
 * connectors, AdminModule on Fastify with the docs set up, and supertest on its server.
 */
export async function startAdminTestApp(
  overrides: {
    auth?: AuthOptions;
    secretFields?: AdminModuleOptions['secretFields'];
    docsUi?: boolean;
    /** Mount through AdminModule.forRootAsync (as a worker reading its config would). */
    viaAsync?: boolean;
  } = {},
): Promise<AdminTestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-admin-'));
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const loggers = new LoggerLevels(pino({ level: 'info' }, sink));
  const log = await Log.openEmbedded({ dir, cleanerIntervalMs: 0, logger: loggers.logger('sluice.log') });
  const registry = new PluginRegistry();
  const converters = await converterPlugins();
  registry.register([...TEST_CONNECTOR_PLUGINS, ...TEST_TRANSFORM_PLUGINS, ...converters.plugins]);
  const herder = new StandaloneHerder({
    workerId: 'admin-test:8083',
    log,
    registry,
    logger: loggers.logger('sluice.runtime'),
  });
  await herder.start();

  const options: AdminModuleOptions = {
    herder,
    log,
    metricsRegistry: herder.metrics.registry,
    auth: overrides.auth ?? { type: 'none' },
    version: '0.1.0-test',
    commit: 'abc123',
    kafkaClusterId: 'test-cluster',
    loggers,
    ...(overrides.secretFields ? { secretFields: overrides.secretFields } : {}),
  };
  const module = overrides.viaAsync
    ? AdminModule.forRootAsync({ useFactory: async () => options })
    : AdminModule.forRoot(options);
  const adapter = new FastifyAdapter({
    serverFactory: ingestServerFactory(herder, loggers),
    frameworkErrors: restFrameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: false,
  });
  setupAdminDocs(app, { ui: overrides.docsUi ?? false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  return {
    app,
    http: request(app.getHttpServer()),
    herder,
    log,
    loggers,
    logLines,
    runtimeConverters: converters.fromRuntime,
    async close() {
      await app.close();
      await herder.stop();
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until `ok` holds (or fails after timeoutMs with the last value). */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  ok: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
