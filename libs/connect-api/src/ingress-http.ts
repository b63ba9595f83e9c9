import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngressRequest, IngressResponse } from './http-ingress.js';

/*
 * Serving ingest requests on plain node:http, for the worker's REST listener (where /ingest/ is
 * answered before the admin API's router) and a webhook source's listener of its own: both read
 * the body the same way, and answer the same way.
 */

export interface IngressServing {
  /** The IngressRequest path: what follows /ingest/{connector}. */
  path: string;
  /** Larger bodies get 413 and are not kept in memory. */
  maxBodyBytes: number;
  /** Resolves with the answer; what it throws is answered by `failed`. */
  handle(request: IngressRequest): Promise<IngressResponse>;
  failed(err: unknown): IngressResponse;
  /** Whether answers should close their connection (the server is shutting down). */
  closing?(): boolean;
  /** Called with each answer sent. */
  answered?(status: number): void;
  /** Bytes of bodies being read that the listener's requests share (see BodyBudget). */
  budget?: BodyBudget;
}

/**
 * How many bytes of request bodies a listener holds at once, across its requests: each request
 * may send up to maxBodyBytes, so without a bound many at once could take all the memory there is.
 * A body that would go past it gets 503 with Retry-After; it is held from its first byte until
 * its answer is sent.
 */
export class BodyBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.held;
  }

  /** Takes `bytes` if they fit (a first body always does, or it could never be read). */
  take(bytes: number): boolean {
    if (this.held > 0 && this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
  }
}

/** An answer in Kafka Connect's error shape. */
export function ingressRefusal(
  status: number,
  message: string,
  headers?: Record<string, string>,
): IngressResponse {
  return { status, headers, body: { error_code: status, message } };
}

/**
 * Reads the body of `req` and answers with what `serving.handle` resolves to. A body over the
 * limit gets 413 as soon as it crosses it (from Content-Length when there is one), and what
 * remains of it is read and dropped, so the connection stays usable.
 */
export function serveIngressRequest(
  req: IncomingMessage,
  res: ServerResponse,
  serving: IngressServing,
): void {
  const max = serving.maxBodyBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    sendIngressResponse(
      res,
      ingressRefusal(413, `the body has ${declared} bytes, more than the ${max} allowed`),
      serving,
    );
    req.resume();
    return;
  }
  const budget = serving.budget;
  let held = 0;
  const release = (): void => {
    budget?.give(held);
    held = 0;
  };
  res.once('close', release);
  const busy = (): void =>
    sendIngressResponse(
      res,
      ingressRefusal(503, 'too many request bodies are being read at once; retry later', {
        'retry-after': '1',
      }),
      serving,
    );
  if (budget && Number.isFinite(declared) && declared > 0) {
    if (!budget.take(declared)) {
      busy();
      req.resume();
      return;
    }
    held = declared;
  }
  let chunks: Buffer[] | null = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (chunks === null) return;
    size += chunk.length;
    if (size > max) {
      chunks = null; // the rest is read and dropped
      sendIngressResponse(
        res,
        ingressRefusal(413, `the body has more than the ${max} bytes allowed`),
        serving,
      );
      return;
    }
    // a body without Content-Length is held as it comes
    if (budget && size > held) {
      if (!budget.take(size - held)) {
        chunks = null;
        busy();
        return;
      }
      held = size;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (chunks === null) return;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    chunks = null;
    const request: IngressRequest = {
      method: req.method ?? 'GET',
      path: serving.path,
      headers: req.headers,
      body,
      remoteAddress: req.socket.remoteAddress ?? '',
    };
    void Promise.resolve()
      .then(() => serving.handle(request))
      .catch((err: unknown) => serving.failed(err))
      .then((response) => sendIngressResponse(res, response, serving))
      // an answer that cannot be written (headers refused): the connection is all that is left
      .catch(() => res.destroy());
  });
  // a sender that went away mid-body: there is nobody to answer
  req.on('error', () => (chunks = null));
}

/** Writes `response`, its body as JSON. */
export function sendIngressResponse(
  res: ServerResponse,
  response: IngressResponse,
  serving?: Pick<IngressServing, 'closing' | 'answered'>,
): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | undefined;
  if (response.body !== undefined) {
    payload = Buffer.from(JSON.stringify(response.body));
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(payload?.length ?? 0);
  if (serving?.closing?.()) headers.connection = 'close';
  res.writeHead(response.status, headers);
  res.end(payload);
  serving?.answered?.(response.status);
}
