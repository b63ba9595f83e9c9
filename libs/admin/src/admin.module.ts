import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { pino } from 'pino';
import type { AdminModuleOptions } from './admin-module-options.js';
import { ADMIN_OPTIONS, ConfigurableAdminModule } from './admin.module-definition.js';
import { ADMIN_LOG, HERDER, METRICS_REGISTRY } from './admin.tokens.js';
import { AuthGuard } from './auth/auth.guard.js';
import { CredentialsChecker } from './auth/credentials-checker.js';
import { ConnectorOffsetsController } from './connectors/connector-offsets.controller.js';
import { ConnectorTasksController } from './connectors/connector-tasks.controller.js';
import { ConnectorSignalsController } from './connectors/connector-signals.controller.js';
import { ConnectorTopicsController } from './connectors/connector-topics.controller.js';
import { ConnectorsController } from './connectors/connectors.controller.js';
import { KafkaConnectExceptionFilter } from './errors/kafka-connect-exception.filter.js';
import { RouteMethods } from './errors/route-methods.js';
import { HealthController } from './health/health.controller.js';
import { LenientJsonBodyParser } from './http/lenient-json-body.parser.js';
import { RequestLoggingHook } from './http/request-logging.hook.js';
import { LoggerLevels } from './loggers/logger-levels.js';
import { LoggersController } from './loggers/loggers.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { ConnectorPluginsController } from './plugins/connector-plugins.controller.js';
import { ConfigRedactor } from './secrets/config-redactor.js';
import { ServerInfoController } from './server-info/server-info.controller.js';
import { TopicsController } from './topics/topics.controller.js';

const fromOptions = <T>(
  provide: symbol | (abstract new (...args: never[]) => T),
  pick: (o: AdminModuleOptions) => T,
) => ({
  provide,
  inject: [ADMIN_OPTIONS],
  useFactory: pick,
});

/**
 * The admin API: Kafka Connect's REST resources over a herder, Sluice's /topics over the log,
 * /metrics, /health, and the auth guard and error filter for the whole application (both are
 * global: APP_GUARD and APP_FILTER).
 *
 *   AdminModule.forRoot({ herder, log, metricsRegistry, auth: { type: 'none' }, version, commit })
 *
 * Fastify only. Call setupAdminDocs(app) before listen for /openapi.json and /docs.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [
    ServerInfoController,
    ConnectorsController,
    ConnectorTasksController,
    ConnectorTopicsController,
    ConnectorSignalsController,
    ConnectorOffsetsController,
    ConnectorPluginsController,
    LoggersController,
    TopicsController,
    MetricsController,
    HealthController,
  ],
  providers: [
    fromOptions(HERDER, (o) => o.herder),
    fromOptions(ADMIN_LOG, (o) => o.log),
    fromOptions(METRICS_REGISTRY, (o) => o.metricsRegistry),
    fromOptions(CredentialsChecker, (o) => new CredentialsChecker(o.auth)),
    fromOptions(ConfigRedactor, (o) => new ConfigRedactor(o.herder, o.secretFields)),
    fromOptions(LoggerLevels, (o) => o.loggers ?? new LoggerLevels(pino({ name: 'sluice' }))),
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: KafkaConnectExceptionFilter },
    LenientJsonBodyParser,
    RequestLoggingHook,
    RouteMethods,
  ],
  exports: [LoggerLevels, CredentialsChecker],
})
export class AdminModule extends ConfigurableAdminModule {}
