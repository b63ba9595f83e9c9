import { Worker } from 'node:worker_threads';
import { describe, expect, it } from '@jest/globals';
import { taskThreadFlags, withAcceptedFlags, YOUNG_GENERATION_MB } from './thread-flags.js';

describe('taskThreadFlags', () => {
  it("keeps Node's own flags and drops V8's heap and stack flags, which a Worker refuses", () => {
    const flags = taskThreadFlags([
      '--max-old-space-size=512',
      '--cpu-prof',
      '--max_semi_space_size=32',
      '--stack-size=2000',
      '--expose-gc',
      '--conditions=@sluice/source',
    ]);
    expect(flags.execArgv).toEqual(['--cpu-prof', '--conditions=@sluice/source']);
    expect(flags.resourceLimits).toEqual({
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      maxOldGenerationSizeMb: 512,
    });
  });

  it('gives flags a thread starts with', async () => {
    const { execArgv, resourceLimits } = taskThreadFlags([
      '--max-old-space-size=256',
      '--expose_gc',
      '--stack-size=2000',
      '--no-warnings',
    ]);
    const thread = new Worker('require("node:worker_threads").parentPort.postMessage(typeof gc)', {
      eval: true,
      execArgv,
      resourceLimits,
    });
    const message = await new Promise((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', reject);
    });
    expect(message).toBe('undefined');
    await thread.terminate();
  });

  it('starts a thread without the other V8 flags it refuses, keeping the rest', async () => {
    const seen: string[][] = [];
    const thread = withAcceptedFlags(['--jitless', '--no-warnings', '--trace-gc'], (execArgv) => {
      seen.push(execArgv);
      return new Worker('require("node:worker_threads").parentPort.postMessage("up")', {
        eval: true,
        execArgv,
      });
    });
    expect(await new Promise((resolve) => thread.once('message', resolve))).toBe('up');
    await thread.terminate();
    expect(seen).toEqual([['--jitless', '--no-warnings', '--trace-gc'], ['--no-warnings']]);
  });
});
