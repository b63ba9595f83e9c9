import type { TimerHandle, Timers } from './timers.js';

interface Scheduled {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to, for tests. Timers fire in time order (then in the order
 * they were set); between firings the event loop turns once, so promise chains started by one
 * timer settle before the next fires.
 */
export class ManualTimers implements Timers {
  private time: number;
  private seq = 0;
  private readonly scheduled = new Map<number, Scheduled>();

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const seq = ++this.seq;
    this.scheduled.set(seq, { at: this.time + Math.max(0, ms), seq, callback });
    return seq;
  }

  clearTimeout(handle: TimerHandle): void {
    this.scheduled.delete(handle as number);
  }

  /** How many timers are waiting: zero after everything that set them was closed. */
  get pending(): number {
    return this.scheduled.size;
  }

  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await settle();
    for (;;) {
      let next: Scheduled | undefined;
      for (const s of this.scheduled.values()) {
        if (s.at <= until && (next === undefined || s.at < next.at || (s.at === next.at && s.seq < next.seq)))
          next = s;
      }
      if (next === undefined) break;
      this.scheduled.delete(next.seq);
      this.time = next.at;
      next.callback();
      await settle();
    }
    this.time = until;
    await settle();
  }
}

/** Lets pending promise callbacks (and whatever they chain) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
