import type { ResourceLimits } from 'node:worker_threads';

/**
 * Each task thread's nursery. Large enough that the poll batches in flight (a few thousand
 * records of a few hundred bytes) die young instead of being promoted: at 8 MB every record was
 * copied twice and then collected from the old generation, which cost a third of the pipeline's
 * CPU; going from 16 to 48 MB cut the pipeline's CPU per record from about 28 to 23 µs, while
 * 64 and 96 MB grew the peak RSS and were no faster (`npm run bench -- pipeline`, 2 runs each).
 * V8's --max-semi-space-size, when the process has it, overrides this for every thread: change
 * data capture keeps more in flight, and at 64 (a 192 MB nursery) postgres-source scavenged half
 * as long and used about a fifth less CPU per event (`npm run bench -- postgres`, alternated runs).
 */
export const YOUNG_GENERATION_MB = 16 * 3;

/**
 * V8's flags are the process's, and a Worker refuses them in its execArgv
 * (ERR_WORKER_INVALID_EXEC_ARGV), so `node --max-old-space-size=4096 main.js` could not start a
 * task thread. The heap and stack ones are dropped from a thread's flags here, the old
 * generation's size becoming each thread's limit too; any other the Worker refuses is dropped by
 * withAcceptedFlags.
 */
const PROCESS_ONLY =
  /^--(max[-_]old[-_]space[-_]size|max[-_]semi[-_]space[-_]size|stack[-_]size|expose[-_]gc)(?:=|$)/;

/** The main thread's flags that a task thread may take, and the limits that carry the rest. */
export function taskThreadFlags(execArgv: readonly string[]): {
  execArgv: string[];
  resourceLimits: ResourceLimits;
} {
  const kept: string[] = [];
  const resourceLimits: ResourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
  for (const arg of execArgv) {
    const match = PROCESS_ONLY.exec(arg);
    if (!match) kept.push(arg);
    else if (/^max.old/.test(match[1]!)) {
      const mb = Number(arg.slice(match[0].length));
      if (Number.isFinite(mb) && mb > 0) resourceLimits.maxOldGenerationSizeMb = mb;
    }
  }
  return { execArgv: kept, resourceLimits };
}

/**
 * `start(execArgv)`, or when the Worker refuses some of the flags (V8's, process-wide anyway:
 * --jitless, --trace-gc, ...), `start` again without the ones it names.
 */
export function withAcceptedFlags<T>(execArgv: readonly string[], start: (execArgv: string[]) => T): T {
  try {
    return start([...execArgv]);
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    const listed = /flags: (.*)$/.exec(message)?.[1];
    if (code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || listed === undefined) throw err;
    const refused = new Set(listed.split(', '));
    return start(execArgv.filter((a) => !refused.has(a)));
  }
}
