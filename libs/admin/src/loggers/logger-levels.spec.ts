import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { LoggerLevels, pinoLevelOf } from './logger-levels.js';

function levels(now = 1000): LoggerLevels {
  return new LoggerLevels(pino({ level: 'info', enabled: true }, { write: () => undefined }), () => now);
}

describe('LoggerLevels', () => {
  it('maps log4j level names to pino levels, case-insensitively', () => {
    expect(pinoLevelOf('DEBUG')).toBe('debug');
    expect(pinoLevelOf('warn')).toBe('warn');
    expect(pinoLevelOf('OFF')).toBe('silent');
    expect(pinoLevelOf('ALL')).toBe('trace');
    expect(pinoLevelOf('VERBOSE')).toBeUndefined();
  });

  it('creates named loggers at the level of their nearest ancestor', () => {
    const l = levels();
    l.setLevel('a.b', 'DEBUG');
    expect(l.logger('a.b.c.d').level).toBe('debug');
    expect(l.logger('a.x').level).toBe('info');
  });

  it('sets a logger and its descendants only, by dotted prefix', () => {
    const l = levels(42);
    for (const n of ['a', 'a.b', 'a.b.c', 'ab', 'z']) l.logger(n);
    expect(l.setLevel('a.b', 'ERROR')).toEqual(['a.b', 'a.b.c']);
    expect(l.level('a.b.c')).toEqual({ level: 'ERROR', last_modified: 42 });
    expect(l.level('a')).toEqual({ level: 'INFO', last_modified: null });
    expect(l.level('ab')?.level).toBe('INFO');
  });

  it('sets every logger through root', () => {
    const l = levels();
    l.logger('x.y');
    expect(l.setLevel('root', 'TRACE')).toEqual(['root', 'x.y']);
    expect(l.all()).toEqual({
      'x.y': { level: 'TRACE', last_modified: 1000 },
      root: { level: 'TRACE', last_modified: 1000 },
    });
  });

  it('refuses unknown levels and answers undefined for unknown loggers', () => {
    const l = levels();
    expect(() => l.setLevel('root', 'LOUD')).toThrow(/invalid log level 'LOUD'/);
    expect(l.level('nope')).toBeUndefined();
  });

  it('sets the children made of a named logger later (task loggers) with it, and tells listeners', () => {
    const l = levels();
    const task = l.logger('sluice.runtime').child({ connector: 'c', task: 0 });
    const grandchild = task.child({ table: 't' });
    const heard: string[] = [];
    l.onChange((name, level) => heard.push(`${name}=${level}`));
    l.setLevel('sluice', 'DEBUG');
    expect([task.level, grandchild.level]).toEqual(['debug', 'debug']);
    expect(heard).toEqual(['sluice=debug', 'sluice.runtime=debug']);
    l.setLevel('root', 'WARN');
    expect([task.level, grandchild.level]).toEqual(['warn', 'warn']);
    expect(heard.slice(2)).toEqual(['root=warn', 'sluice=warn', 'sluice.runtime=warn']);
  });

  it('binds the logger name into each line', () => {
    const lines: string[] = [];
    const l = new LoggerLevels(pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }));
    l.logger('sluice.test').info('hello');
    expect(JSON.parse(lines[0]!)).toEqual(expect.objectContaining({ logger: 'sluice.test', msg: 'hello' }));
  });
});
