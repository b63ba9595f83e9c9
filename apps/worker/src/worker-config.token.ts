/** Injection token of the loaded WorkerConfig. */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');
