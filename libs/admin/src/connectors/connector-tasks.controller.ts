import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Herder, TaskInfo, TaskStatus } from '@sluice/runtime';
import { HERDER } from '../admin.tokens.js';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { TASK_INFO_LIST_SCHEMA, TASK_STATE_SCHEMA } from '../openapi/schemas.js';
import { ConfigRedactor } from '../secrets/config-redactor.js';
import { taskIdOf } from './connector-requests.js';

/** Kafka Connect's /connectors/{name}/tasks resource. */
@ApiTags('connectors')
@ApiErrors(401, 404, 500)
@Controller('connectors/:name/tasks')
export class ConnectorTasksController {
  constructor(
    @Inject(HERDER) private readonly herder: Herder,
    @Inject(ConfigRedactor) private readonly redactor: ConfigRedactor,
  ) {}

  @Get()
  @ApiOperation({ summary: "List a connector's tasks and their configs" })
  @ApiResponse({ status: 200, schema: TASK_INFO_LIST_SCHEMA })
  async list(@Param('name') name: string): Promise<TaskInfo[]> {
    const tasks = await this.herder.taskConfigs(name);
    const connectorClass = (await this.herder.connectorConfig(name))['connector.class'];
    return this.redactor.redactTasks(tasks, connectorClass);
  }

  @Get(':task/status')
  @ApiOperation({ summary: "Get a task's state" })
  @ApiResponse({ status: 200, schema: TASK_STATE_SCHEMA })
  status(@Param('name') name: string, @Param('task') task: string): Promise<TaskStatus> {
    return this.herder.taskStatus(name, taskIdOf(name, task));
  }

  @Post(':task/restart')
  @HttpCode(204)
  @ApiOperation({ summary: 'Restart a task' })
  @ApiResponse({ status: 204 })
  async restart(@Param('name') name: string, @Param('task') task: string): Promise<void> {
    await this.herder.restartTask(name, taskIdOf(name, task));
  }
}
