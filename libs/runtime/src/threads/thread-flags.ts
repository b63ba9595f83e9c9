import type { ResourceLimits } from 'node:worker_threads';

/**
 * Each task thread's nursery. Large enough that the poll batches in flight (a few thousand
 * records of a few hundred bytes) die young instead of being promoted: at 8 MB every record was
 * copied twice and then collected from the old generation, which cost a third of the pipeline's
 * CPU; going from 16 to 48 MB cut the pipeline's CPU per record from about 28 to 23 µs, while
 * 64 and 96 MB grew the peak RSS and were no faster (`npm run bench -- pipeline`, 2 runs each).
 */
export const YOUNG_GENERATION_MB = 16 * 3;

/**
 * V8's heap and stack flags are the process's, and a Worker refuses them in its execArgv
 * (ERR_WORKER_INVALID_EXEC_ARGV), so `node --max-old-space-size=4096 main.js` could not start a
 * task thread. They are dropped from a thread's flags; the old generation's size becomes the
 * thread's limit too, so a heap ceiling set for the worker holds in its threads.
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
