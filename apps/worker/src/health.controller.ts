import { Controller, Get, Inject } from '@nestjs/common';
import { Log } from '@sluice/log';

@Controller()
export class HealthController {
  constructor(@Inject(Log) private readonly log: Log) {}

  /** Liveness and a summary of the log: the worker is up when its log answers. */
  @Get('health')
  async health(): Promise<{ status: 'UP'; log: { topics: number } }> {
    const topics = await this.log.admin().listTopics({ includeInternal: true });
    return { status: 'UP', log: { topics: topics.length } };
  }
}
