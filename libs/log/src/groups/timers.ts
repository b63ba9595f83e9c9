/**
 * Time as the group code sees it, so tests can drive sessions and rebalance deadlines with a
 * manual clock (see ManualTimers) instead of sleeping.
 */
export interface Timers {
  now(): number;
  /** Runs `callback` once after `ms`. A timer never keeps the process alive. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Opaque: only the Timers that made it can use it. */
export type TimerHandle = unknown;

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
