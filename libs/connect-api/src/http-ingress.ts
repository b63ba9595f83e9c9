/**
 * Requests the worker's REST listener receives for a connector (`POST /ingest/{connector}` and
 * paths under it), handed to one of its source tasks: webhook sources register a handler here.
 * The worker answers the HTTP request with what the handler resolves to, so a handler that
 * resolves only once its records are durable (see SourceTask.commitRecord) gives senders a 2xx
 * that means "stored".
 */
export interface IngressRequest {
  method: string;
  /** The path after /ingest/{connector}, "" or starting with "/". */
  path: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received (signatures are computed over it). */
  body: Buffer;
  remoteAddress: string;
}

export interface IngressResponse {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON; omit for an empty body. */
  body?: unknown;
}

export type IngressHandler = (request: IngressRequest) => Promise<IngressResponse>;

export interface IngressOptions {
  /** Retry-After (seconds) of the 503 the worker answers for the task while it is paused; 5 if unset. */
  readonly retryAfterSeconds?: number;
}

export interface HttpIngress {
  /**
   * Routes the connector's ingest requests to `handler` until the returned function is called
   * (at the latest when the task stops). One handler per connector: a second registration
   * replaces the first.
   */
  register(handler: IngressHandler, options?: IngressOptions): () => void;
  /**
   * For a task that serves requests on a listener of its own: `handler` as the worker calls a
   * registered one, answering 503 with Retry-After while the task is paused (absent where
   * nothing pauses tasks).
   */
  guard?(handler: IngressHandler, options?: IngressOptions): IngressHandler;
}
