import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { spawnTs } from './ts-child.js';

/** A worker started as a user would: `sluice start --config FILE`, from the sources. */
export class WorkerProcess {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    readonly configFile: string,
    readonly url: string,
  ) {}

  async start(timeoutMs = 60_000): Promise<void> {
    this.output = '';
    // runs in the repository (the TypeScript loader resolves from there); the config's paths are absolute
    const child = spawnTs('apps/worker/src/main.ts', ['start', '--config', this.configFile]);
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`worker did not come up in ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  get logs(): string {
    return this.output;
  }

  /** SIGKILL: no shutdown hooks, nothing flushed but what was already durable. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and wait for a clean exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

export function writeYaml(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
