import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AdminModuleOptions } from '../admin-module-options.js';
import { ADMIN_OPTIONS } from '../admin.module-definition.js';
import { CredentialsChecker } from '../auth/credentials-checker.js';
import { documentIngestRoute } from '../ingest/ingest-server.js';
import type { RestErrorBody } from '../errors/rest-error.js';

export const DOCS_PATH = '/docs';
export const OPENAPI_PATH = '/openapi.json';

export interface AdminDocsOptions {
  /**
   * Serve Swagger UI at /docs (default true). Its assets come through @fastify/static, which needs
   * Node's require(esm): Jest's module runtime lacks it, so in-process tests turn the UI off.
   */
  ui?: boolean;
}

/**
 * Serves the OpenAPI document at /openapi.json and Swagger UI at /docs. Call it after
 * NestFactory.create and before listen. These routes are Fastify's, outside Nest's guards, so a
 * hook asks them for the same credentials as the API.
 */
export function setupAdminDocs(app: NestFastifyApplication, docs: AdminDocsOptions = {}): OpenAPIObject {
  const options = app.get<AdminModuleOptions>(ADMIN_OPTIONS);
  const builder = new DocumentBuilder()
    .setTitle('Sluice')
    .setDescription(
      "Kafka Connect's REST API (connectors, tasks, offsets, plugins, loggers), plus Sluice's topics, metrics and health.",
    )
    .setVersion(options.version);
  if (options.auth.type === 'bearer') builder.addBearerAuth().addSecurityRequirements('bearer');
  if (options.auth.type === 'basic') builder.addBasicAuth().addSecurityRequirements('basic');
  const document = SwaggerModule.createDocument(app, builder.build());
  documentIngestRoute(document);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_PATH,
    raw: ['json'],
    ui: docs.ui ?? true,
    customSiteTitle: 'Sluice API',
  });

  const checker = app.get(CredentialsChecker);
  if (checker.enabled) {
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRequest', (request, reply, done) => {
        // the route matched, not the URL as sent: /openapi%2Ejson reaches /openapi.json too
        const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
        if (route !== OPENAPI_PATH && route !== DOCS_PATH && !route.startsWith(`${DOCS_PATH}/`)) {
          done();
          return;
        }
        const outcome = checker.check(request.headers.authorization);
        if (outcome.ok) {
          done();
          return;
        }
        const body: RestErrorBody = { error_code: 401, message: outcome.message };
        void reply.code(401).header('WWW-Authenticate', outcome.challenge).send(body);
      });
  }
  return document;
}
