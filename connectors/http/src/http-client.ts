import type { IncomingHttpHeaders } from 'node:http';
import { ConnectError } from '@sluice/connect-api';
import { Agent, type Dispatcher } from 'undici';

export interface HttpClientSettings {
  connectTimeoutMs: number;
  /** Longest wait for the response headers, and then between two chunks of its body. */
  requestTimeoutMs: number;
  /** Connections kept per origin (keep-alive): the most requests in flight to one server. */
  connections: number;
}

export interface HttpCall {
  url: URL;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /**
   * Response bytes kept. Beyond it: 'truncate' keeps reading (so the connection can be reused)
   * but drops the rest; 'fail' throws ResponseTooLargeError for a 2xx (other answers are cut short).
   */
  maxResponseBytes: number;
  overflow: 'truncate' | 'fail';
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Not retried: the same request would bring the same answer (poll.max.response.bytes says why). */
export class ResponseTooLargeError extends ConnectError {
  override name = 'ResponseTooLargeError';
}

/**
 * One undici Agent (a keep-alive pool per origin) for a task's requests. Every request has the
 * timeouts; close() ends the pool's sockets, in-flight requests included.
 */
export class HttpClient {
  private readonly agent: Agent;

  constructor(private readonly settings: HttpClientSettings) {
    this.agent = new Agent({
      connect: { timeout: settings.connectTimeoutMs },
      connections: settings.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: settings.requestTimeoutMs,
      bodyTimeout: settings.requestTimeoutMs,
    });
  }

  async send(call: HttpCall): Promise<HttpReply> {
    const response = await this.agent.request({
      origin: call.url.origin,
      path: `${call.url.pathname}${call.url.search}`,
      method: call.method,
      headers: call.headers,
      body: call.body ?? null,
      signal: call.signal ?? null,
      headersTimeout: this.settings.requestTimeoutMs,
      bodyTimeout: this.settings.requestTimeoutMs,
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    // only a success's body is data: an error page past the limit is cut short, and its status
    // decides on a retry
    const fail = call.overflow === 'fail' && response.statusCode >= 200 && response.statusCode < 300;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      // in 'fail', a chunk that crosses the limit fails as one past it does: a body cut short
      // could still read as (other) JSON
      if (fail && kept + chunk.length > call.maxResponseBytes) {
        response.body.destroy();
        throw new ResponseTooLargeError(
          `the response from ${call.url.origin}${call.url.pathname} is larger than ${call.maxResponseBytes} bytes`,
        );
      }
      if (kept >= call.maxResponseBytes) continue;
      const room = call.maxResponseBytes - kept;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(part);
      kept += part.length;
    }
    return {
      status: response.statusCode,
      headers: response.headers,
      body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
    };
  }

  /** Ends every connection now: requests still in flight fail. */
  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

/** One header's value as a string (the first when repeated). */
export function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
