/** Injection tokens for what AdminModule's options hand in (interfaces have no runtime token). */
export const HERDER = Symbol('sluice:admin:herder');
export const ADMIN_LOG = Symbol('sluice:admin:log');
export const METRICS_REGISTRY = Symbol('sluice:admin:metrics-registry');
