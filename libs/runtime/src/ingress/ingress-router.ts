import type { HttpIngress, IngressHandler, IngressRequest, IngressResponse } from '@sluice/connect-api';

/**
 * Routes ingest requests (POST /ingest/{connector}) to the handler a connector's running source
 * task registered. A connector with no handler (not running, paused, failed) answers 503 with
 * Retry-After, so senders that retry on errors lose nothing.
 */
export class IngressRouter {
  private readonly handlers = new Map<string, IngressHandler>();

  /** The HttpIngress a task of `connector` gets in its context. */
  forConnector(connector: string): HttpIngress {
    return {
      register: (handler) => {
        this.handlers.set(connector, handler);
        return () => {
          if (this.handlers.get(connector) === handler) this.handlers.delete(connector);
        };
      },
    };
  }

  /** Registers a handler directly (task threads forward theirs through this). */
  set(connector: string, handler: IngressHandler | null): void {
    if (handler) this.handlers.set(connector, handler);
    else this.handlers.delete(connector);
  }

  async route(connector: string, request: IngressRequest): Promise<IngressResponse> {
    const handler = this.handlers.get(connector);
    if (!handler) {
      return {
        status: 503,
        headers: { 'retry-after': '5' },
        body: {
          error_code: 503,
          message: `connector ${connector} takes no requests now (it is not running as a webhook source)`,
        },
      };
    }
    return handler(request);
  }
}
