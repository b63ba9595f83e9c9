import type { ConnectLogger } from '../logger.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object | string;
  msg: string | undefined;
}

/** A logger that keeps what it is given, for assertions on what a task logged. */
export interface RecordingLogger extends ConnectLogger {
  readonly entries: LogEntry[];
  /** The messages logged at `level`, in order. */
  messages(level: LogEntry['level']): string[];
}

export function recordingLogger(): RecordingLogger {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object | string, msg?: string): void => {
      entries.push({ level, obj, msg });
    };
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    messages: (level) =>
      entries.filter((e) => e.level === level).map((e) => e.msg ?? (typeof e.obj === 'string' ? e.obj : '')),
  };
}
