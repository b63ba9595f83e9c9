import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AdminModuleOptions } from '../admin-module-options.js';
import { ADMIN_OPTIONS } from '../admin.module-definition.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { SERVER_INFO_SCHEMA } from '../openapi/schemas.js';

export interface ServerInfo {
  version: string;
  commit: string;
  kafka_cluster_id: string | null;
}

/** Kafka Connect's GET /: what is running. */
@ApiTags('admin')
@ApiErrors(401)
@Controller()
export class ServerInfoController {
  constructor(@Inject(ADMIN_OPTIONS) private readonly options: AdminModuleOptions) {}

  @Get()
  @ApiOperation({ summary: 'Worker version, commit and cluster id' })
  @ApiResponse({ status: 200, schema: SERVER_INFO_SCHEMA })
  info(): ServerInfo {
    return {
      version: this.options.version,
      commit: this.options.commit,
      kafka_cluster_id: this.options.kafkaClusterId ?? null,
    };
  }
}
