import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Log } from '@sluice/log';
import type { FastifyReply } from 'fastify';
import { ADMIN_LOG } from '../admin.tokens.js';
import { Public } from '../auth/public.decorator.js';
import { HEALTH_SCHEMA } from '../openapi/schemas.js';

/** How long the log may take to answer before the worker counts as down. */
const LOG_TIMEOUT_MS = 5_000;

export type Health = { status: 'UP'; log: { topics: number } } | { status: 'DOWN'; error: string };

/** Liveness for load balancers and orchestrators: open whatever auth is configured. */
@ApiTags('monitoring')
@Controller('health')
export class HealthController {
  constructor(@Inject(ADMIN_LOG) private readonly log: Log) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'UP when the log answers' })
  @ApiResponse({ status: 200, schema: HEALTH_SCHEMA })
  @ApiResponse({ status: 503, schema: HEALTH_SCHEMA })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<Health> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the log did not answer within ${LOG_TIMEOUT_MS} ms`)),
          LOG_TIMEOUT_MS,
        );
      });
      const topics = await Promise.race([this.log.admin().listTopics({ includeInternal: true }), timeout]);
      return { status: 'UP', log: { topics: topics.length } };
    } catch (err) {
      void reply.status(503);
      return { status: 'DOWN', error: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
