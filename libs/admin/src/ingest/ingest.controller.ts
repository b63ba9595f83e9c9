import { All, Controller, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Herder } from '@sluice/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HERDER } from '../admin.tokens.js';
import { Public } from '../auth/public.decorator.js';
import type { RequestWithRawBody } from '../http/lenient-json-body.parser.js';

/**
 * Webhook intake: requests to /ingest/{connector} go to that connector's webhook source task,
 * which answers once what it took is durable. Not behind the admin API's auth: the connector
 * checks its own shared secret or signature.
 */
@ApiTags('ingest')
@Public()
@Controller('ingest')
export class IngestController {
  constructor(@Inject(HERDER) private readonly herder: Herder) {}

  @All(':connector')
  @ApiOperation({ summary: 'Send records to a webhook source connector (its own auth applies)' })
  root(
    @Param('connector') connector: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.forward(connector, '', request, reply);
  }

  @All(':connector/*')
  nested(
    @Param('connector') connector: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const prefix = `/ingest/${encodeURIComponent(connector)}`;
    const path = request.url.split('?')[0]!.slice(prefix.length);
    return this.forward(connector, path, request, reply);
  }

  private async forward(
    connector: string,
    path: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const body = (request as FastifyRequest & RequestWithRawBody).rawBody ?? Buffer.alloc(0);
    const response = await this.herder.ingest(connector, {
      method: request.method,
      path,
      headers: request.headers,
      body,
      remoteAddress: request.ip,
    });
    void reply.status(response.status);
    for (const [name, value] of Object.entries(response.headers ?? {})) void reply.header(name, value);
    if (response.body === undefined) await reply.send();
    else await reply.type('application/json').send(JSON.stringify(response.body));
  }
}
