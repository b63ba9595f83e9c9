import type { TransferListItem } from 'node:worker_threads';

/** A MessagePort, or a Worker (its own end of the parent's port). */
export interface Port {
  postMessage(value: unknown, transferList?: readonly TransferListItem[]): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's own signature for these events
  on(event: string, listener: (...args: any[]) => void): unknown;
  close?(): void;
}

/*
 * Request/response over a MessagePort, for the log, the coordinator and the herder's stores
 * between the main thread and task threads:
 *
 *   caller                                  callee
 *   {kind:"call", id, method, args} ────────►  handler(method, args) ──┐
 *   {kind:"abort", id}              ────────►  aborts its signal       │
 *   ◄──────── {kind:"result", id, value} | {kind:"error", id, error}  ◄┘
 *   {kind:"event", name, payload}   ◄──────►  fire and forget, either way
 *
 * Buffers travel as Uint8Arrays (structured clone) and come back as Buffers; large ones are
 * transferred instead of copied when the sender owns their memory (see transferable()).
 */

export type Handler = (method: string, args: unknown[], signal: AbortSignal) => Promise<unknown> | unknown;
export type EventListener = (name: string, payload: unknown) => void;

interface CallMessage {
  kind: 'call';
  id: number;
  method: string;
  args: unknown[];
}
interface AbortMessage {
  kind: 'abort';
  id: number;
}
interface ResultMessage {
  kind: 'result';
  id: number;
  value: unknown;
}
interface ErrorMessage {
  kind: 'error';
  id: number;
  error: SerializedError;
}
interface EventMessage {
  kind: 'event';
  name: string;
  payload: unknown;
}
type Message = CallMessage | AbortMessage | ResultMessage | ErrorMessage | EventMessage;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Own enumerable fields (code, retriable, details, fieldErrors, ...). */
  fields: Record<string, unknown>;
}

/** Turns an error back into an Error with the same name, message and fields (code, details, ...). */
export type ErrorReviver = (serialized: SerializedError) => Error;

function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    if (typeof v !== 'function') fields[k] = v;
  }
  return { name: err.name, message: err.message, stack: err.stack, fields };
}

function defaultReviver(s: SerializedError): Error {
  const err = new Error(s.message);
  Object.assign(err, s.fields);
  Object.defineProperty(err, 'name', { value: s.name });
  if (s.stack) err.stack = s.stack;
  return err;
}

/** Buffers arrive as Uint8Arrays: make them Buffers again, deep. */
export function reviveBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveBuffers(value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) record[k] = reviveBuffers(record[k]);
  }
  return value;
}

/**
 * A buffer whose whole ArrayBuffer it owns, ready to transfer; Node's pooled small buffers share
 * their ArrayBuffer with others and must be copied instead.
 */
export function transferable(buf: Buffer): { buffer: Buffer; transfer: ArrayBuffer[] } {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.byteLength >= 4096) {
    return { buffer: buf, transfer: [buf.buffer as ArrayBuffer] };
  }
  const copy = Buffer.allocUnsafeSlow(buf.length);
  buf.copy(copy);
  return { buffer: copy, transfer: buf.length >= 4096 ? [copy.buffer as ArrayBuffer] : [] };
}

export class RpcChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly running = new Map<number, AbortController>();
  private readonly listeners: EventListener[] = [];
  private closed = false;

  constructor(
    private readonly port: Port,
    private readonly handler: Handler | null = null,
    private readonly reviveError: ErrorReviver = defaultReviver,
  ) {
    port.on('message', (message: Message) => this.receive(message));
    port.on('close', () => this.close(new Error('the other thread went away')));
    port.on('exit', () => this.close(new Error('the other thread exited')));
  }

  /** Calls `method` on the other side; `transfer` lists ArrayBuffers handed over, not copied. */
  call<T>(
    method: string,
    args: unknown[],
    options: { signal?: AbortSignal; transfer?: ArrayBuffer[] } = {},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`cannot call ${method}: the channel is closed`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const { signal } = options;
      const abort = (): void => this.port.postMessage({ kind: 'abort', id } satisfies AbortMessage);
      const settle = (): void => signal?.removeEventListener('abort', abort);
      this.pending.set(id, {
        resolve: (v) => {
          settle();
          resolve(v as T);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      this.port.postMessage({ kind: 'call', id, method, args } satisfies CallMessage, options.transfer ?? []);
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
    });
  }

  emit(name: string, payload: unknown): void {
    if (!this.closed) this.port.postMessage({ kind: 'event', name, payload } satisfies EventMessage);
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  private receive(message: Message): void {
    switch (message.kind) {
      case 'call':
        void this.serve(message);
        return;
      case 'abort':
        this.running.get(message.id)?.abort();
        return;
      case 'result': {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        p?.resolve(reviveBuffers(message.value));
        return;
      }
      case 'error': {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        p?.reject(this.reviveError(message.error));
        return;
      }
      case 'event':
        for (const l of this.listeners) l(message.name, reviveBuffers(message.payload));
        return;
    }
  }

  private async serve(message: CallMessage): Promise<void> {
    const controller = new AbortController();
    this.running.set(message.id, controller);
    try {
      if (!this.handler) throw new Error(`no handler for ${message.method}`);
      const value = await this.handler(
        message.method,
        reviveBuffers(message.args) as unknown[],
        controller.signal,
      );
      const transfer: ArrayBuffer[] = [];
      let result = value;
      if (value && typeof value === 'object' && (value as { __transfer?: unknown }).__transfer) {
        const t = value as { value: unknown; __transfer: ArrayBuffer[] };
        result = t.value;
        transfer.push(...t.__transfer);
      }
      if (!this.closed)
        this.port.postMessage(
          { kind: 'result', id: message.id, value: result } satisfies ResultMessage,
          transfer,
        );
    } catch (err) {
      if (!this.closed)
        this.port.postMessage({
          kind: 'error',
          id: message.id,
          error: serializeError(err),
        } satisfies ErrorMessage);
    } finally {
      this.running.delete(message.id);
    }
  }

  close(reason: Error = new Error('the channel was closed')): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.running.values()) c.abort();
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    this.port.close?.();
  }
}

/** A handler result whose listed ArrayBuffers are transferred rather than copied. */
export function withTransfer<T>(value: T, transfer: ArrayBuffer[]): { value: T; __transfer: ArrayBuffer[] } {
  return { value, __transfer: transfer };
}
