import { afterEach } from '@jest/globals';
import { Log } from '../client/log.js';
import { recordingLogger, tempDir } from './log-test-support.js';

/** Opens embedded logs in temp dirs for a spec file and closes them after each test. */
export function embeddedLogs(): (options?: { dir?: string }) => Promise<Log> {
  const open: Log[] = [];
  afterEach(async () => {
    for (const log of open.splice(0)) await log.close();
  });
  return async (options = {}) => {
    const log = await Log.openEmbedded({
      dir: options.dir ?? tempDir(),
      cleanerIntervalMs: 0,
      logger: recordingLogger().logger,
    });
    open.push(log);
    return log;
  };
}
