import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  BodyBudget,
  ConnectError,
  ingressRefusal,
  sendIngressResponse,
  serveIngressRequest,
  type ConnectLogger,
  type IngressHandler,
  type IngressResponse,
} from '@sluice/connect-api';

export interface WebhookListenerOptions {
  host: string;
  /** 0 takes any free port (see `address`). */
  port: number;
  /** Requests to /ingest/{connector} must name this one. */
  connector: string;
  /** Larger bodies get 413 and are not kept in memory. */
  maxBodyBytes: number;
  logger: ConnectLogger;
}

/** How long close() lets answers to requests in flight go out before it cuts their connections. */
const CLOSE_GRACE_MS = 2_000;

/**
 * A webhook source's own HTTP listener (webhook.listener.port), for senders that should not reach
 * the worker's REST port. It takes what the worker's /ingest/{connector} route takes, and answers
 * the same way: POST to `/` or `/ingest/{connector}` (and paths under either, passed on as the
 * IngressRequest's path), the handler's IngressResponse written as JSON, errors in Kafka Connect's
 * {error_code, message} shape. Unknown paths get 404 and other methods 405 before any body is
 * read; a body over the limit gets 413 as soon as it crosses it (from Content-Length when there is
 * one), and what remains of it is read and dropped, so the connection stays usable.
 */
export class WebhookListener {
  private closing = false;
  /** Four bodies of the largest size at once, or 64 MiB when bodies are small. */
  private readonly budget = new BodyBudget(Math.max(4 * this.options.maxBodyBytes, 64 * 1024 * 1024));
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly server: http.Server,
    private readonly options: WebhookListenerOptions,
    private readonly handler: IngressHandler,
  ) {}

  /** Listens on host:port; rejects with a ConnectError naming them when that fails (port in use). */
  static async open(options: WebhookListenerOptions, handler: IngressHandler): Promise<WebhookListener> {
    const server = http.createServer();
    const listener = new WebhookListener(server, options, handler);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => listener.serve(req, res));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => clientError(err, socket));
    const where = hostPort(options.host, options.port);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      throw new ConnectError(`webhook.listener: cannot listen on ${where}: ${listenProblem(err)}`);
    }
    server.on('error', (err) => options.logger.error({ err }, `webhook listener on ${where} failed`));
    options.logger.info(`webhook listener on ${hostPort(options.host, listener.address.port)}`);
    return listener;
  }

  /** Where it listens (the actual port when opened with 0). */
  get address(): { host: string; port: number } {
    const address = this.server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  /**
   * Stops taking connections and waits for the open ones to end: idle keep-alive connections are
   * closed at once, busy ones once answered (answers carry Connection: close from now on), and
   * any still open after a grace period are cut.
   */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.closed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS);
      timer.unref();
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections();
    });
    return this.closed;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = ingressPathOf(req.url ?? '', this.options.connector);
    if (path === null) {
      this.send(
        res,
        ingressRefusal(
          404,
          `nothing at ${pathOf(req.url ?? '')}: POST to / or /ingest/${this.options.connector}`,
        ),
      );
      return;
    }
    const method = req.method ?? 'GET';
    if (method !== 'POST') {
      this.send(res, ingressRefusal(405, `use POST, not ${method}`, { allow: 'POST' }));
      return;
    }
    serveIngressRequest(req, res, {
      path,
      maxBodyBytes: this.options.maxBodyBytes,
      budget: this.budget,
      handle: this.handler,
      failed: (err) => {
        this.options.logger.error({ err }, 'webhook request failed');
        return ingressRefusal(500, 'the request could not be handled');
      },
      closing: () => this.closing,
    });
  }

  private send(res: ServerResponse, response: IngressResponse): void {
    sendIngressResponse(res, response, { closing: () => this.closing });
  }
}

/**
 * The IngressRequest path of a request URL: what follows `/ingest/{connector}` (which must be this
 * connector), or else the whole path ("" for `/`); null for a path of another connector.
 */
export function ingressPathOf(url: string, connector: string): string | null {
  const path = pathOf(url);
  if (!path.startsWith('/')) return null;
  if (path !== '/ingest' && !path.startsWith('/ingest/')) return path === '/' ? '' : path;
  const segment = path.slice('/ingest/'.length).split('/', 1)[0] ?? '';
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return null;
  }
  if (segment === '' || name !== connector) return null;
  return path.slice('/ingest/'.length + segment.length);
}

function pathOf(url: string): string {
  return url.split('?', 1)[0] ?? '';
}

/** Requests Node cannot parse get a JSON answer too, then the connection is closed. */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ error_code: status, message: STATUS_CODES[status] ?? 'Bad Request' });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function listenProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE':
      return 'the port is already in use';
    case 'EACCES':
      return 'not allowed (ports below 1024 need privileges)';
    case 'EADDRNOTAVAIL':
      return 'the host is not an address of this machine';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
