import { pino, type Logger as PinoLogger } from 'pino';

/** The slice of pino the log uses, so a host can hand in its own (child) logger. */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error' | 'child'>;

export function defaultLogger(): Logger {
  return pino({ name: 'sluice-log', level: process.env['SLUICE_LOG_LEVEL'] ?? 'info' }, pino.destination(2));
}
