import type { Logger as PinoLogger } from 'pino';

/** Log4j's level names, as Kafka Connect's /admin/loggers speaks them. */
export type KafkaLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'OFF';

/** Kafka Connect's LoggerLevel: the level and when it was last set over REST (ms), else null. */
export interface LoggerLevel {
  level: KafkaLogLevel;
  last_modified: number | null;
}

export const ROOT_LOGGER = 'root';

const TO_PINO: Readonly<Record<string, string>> = {
  ALL: 'trace',
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  OFF: 'silent',
};

const FROM_PINO: Readonly<Record<string, KafkaLogLevel>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'FATAL',
  silent: 'OFF',
};

/** The pino level for a Kafka (log4j) level name, case-insensitively; undefined when it is none. */
export function pinoLevelOf(level: string): string | undefined {
  return TO_PINO[level.trim().toUpperCase()];
}

interface Entry {
  logger: PinoLogger;
  lastModified: number | null;
}

/**
 * Named loggers over one root pino logger, with log4j's hierarchy by dotted names: "sluice.runtime"
 * is the parent of "sluice.runtime.worker". Each named logger is a child of the root bound to
 * `{ logger: name }`; a new one starts at the level of its nearest ancestor, and setting a level
 * sets it on the logger and every descendant (pino children do not follow their parent's level,
 * so this class does the propagation). Setting "root" sets every logger. Children made of a named
 * logger later (a task's logger, bound to its connector) follow it too, and listeners hear of
 * each change (the task threads, whose loggers live elsewhere).
 */
export class LoggerLevels {
  private readonly named = new Map<string, Entry>();
  /** Children of each named logger, held weakly: a stopped task's logger may go. */
  private readonly followers = new Map<string, Set<WeakRef<PinoLogger>>>();
  private readonly listeners: ((name: string, pinoLevel: string) => void)[] = [];
  private naming = false;
  private rootModified: number | null = null;

  constructor(
    readonly root: PinoLogger,
    private readonly now: () => number = Date.now,
  ) {
    root.onChild = (child) => this.adopt(child);
  }

  /** Hears every level set, with the name of each logger it set (root included). */
  onChange(listener: (name: string, pinoLevel: string) => void): void {
    this.listeners.push(listener);
  }

  /** The logger named `name`, created on first use. */
  logger(name: string): PinoLogger {
    if (name === ROOT_LOGGER) return this.root;
    let entry = this.named.get(name);
    if (!entry) {
      this.naming = true;
      let logger: PinoLogger;
      try {
        logger = this.root.child({ logger: name });
      } finally {
        this.naming = false;
      }
      logger.level = this.ancestorLevel(name);
      entry = { logger, lastModified: null };
      this.named.set(name, entry);
    }
    return entry.logger;
  }

  /** Every known logger and its level, root included, by name. */
  all(): Record<string, LoggerLevel> {
    const out: Record<string, LoggerLevel> = {};
    for (const name of [...this.named.keys()].sort()) out[name] = this.level(name)!;
    out[ROOT_LOGGER] = { level: kafkaLevel(this.root.level), last_modified: this.rootModified };
    return out;
  }

  /** The level of a known logger, or undefined. */
  level(name: string): LoggerLevel | undefined {
    if (name === ROOT_LOGGER) return { level: kafkaLevel(this.root.level), last_modified: this.rootModified };
    const entry = this.named.get(name);
    return entry && { level: kafkaLevel(entry.logger.level), last_modified: entry.lastModified };
  }

  /**
   * Sets the level of `name` (creating the logger when unknown) and of its descendants; returns
   * the names of the loggers it set, sorted. Throws on a level that is not a log4j level name.
   */
  setLevel(name: string, level: string): string[] {
    const pinoLevel = pinoLevelOf(level);
    if (!pinoLevel) throw new RangeError(`invalid log level '${level}'`);
    const at = this.now();
    const affected: string[] = [];
    if (name === ROOT_LOGGER) {
      this.root.level = pinoLevel;
      this.rootModified = at;
      affected.push(ROOT_LOGGER);
    } else {
      this.logger(name);
    }
    for (const [other, entry] of this.named) {
      if (name === ROOT_LOGGER || other === name || other.startsWith(`${name}.`)) {
        entry.logger.level = pinoLevel;
        entry.lastModified = at;
        affected.push(other);
        this.setFollowers(other, pinoLevel);
      }
    }
    affected.sort();
    for (const listener of this.listeners) for (const n of affected) listener(n, pinoLevel);
    return affected;
  }

  /** A child made of a named logger (or of one of its children) follows that logger's level. */
  private adopt(child: PinoLogger): void {
    if (this.naming) return;
    const name = (child.bindings() as { logger?: unknown }).logger;
    if (typeof name !== 'string' || !this.named.has(name)) return;
    let set = this.followers.get(name);
    if (!set) this.followers.set(name, (set = new Set()));
    // loggers of tasks long stopped are dropped now and then, so the set stays small
    if (set.size >= 1024) for (const ref of set) if (!ref.deref()) set.delete(ref);
    set.add(new WeakRef(child));
  }

  private setFollowers(name: string, pinoLevel: string): void {
    const set = this.followers.get(name);
    if (!set) return;
    for (const ref of set) {
      const child = ref.deref();
      if (child) child.level = pinoLevel;
      else set.delete(ref);
    }
  }

  private ancestorLevel(name: string): string {
    for (let cut = name.lastIndexOf('.'); cut > 0; cut = name.lastIndexOf('.', cut - 1)) {
      const ancestor = this.named.get(name.slice(0, cut));
      if (ancestor) return ancestor.logger.level;
    }
    return this.root.level;
  }
}

function kafkaLevel(pinoLevel: string): KafkaLogLevel {
  return FROM_PINO[pinoLevel] ?? 'INFO';
}
