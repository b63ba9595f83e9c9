/**
 * When an append counts as done.
 * - fsync (default): after fdatasync; appends waiting together share one (group commit).
 * - interval: after the write reaches the OS; fdatasync runs every `intervalMs`. Faster, but a
 *   machine crash (not a process crash) can lose the last interval's acknowledged records.
 */
export type DurabilityPolicy = { mode: 'fsync' } | { mode: 'interval'; intervalMs: number };

export const DEFAULT_DURABILITY: DurabilityPolicy = { mode: 'fsync' };
