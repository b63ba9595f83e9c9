import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AdminModuleOptions } from './admin-module-options.js';

export const {
  ConfigurableModuleClass: ConfigurableAdminModule,
  MODULE_OPTIONS_TOKEN: ADMIN_OPTIONS,
  OPTIONS_TYPE: ADMIN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ADMIN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AdminModuleOptions>().setClassMethodName('forRoot').build();
