/** Talks to a worker's REST API for the CLI: base URL, auth, and Kafka Connect error bodies. */

export interface RestClientOptions {
  url: string;
  token?: string;
  /** user:password for basic auth */
  user?: string;
}

export class RestError extends Error {
  override readonly name = 'RestError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class RestClient {
  private readonly base: string;

  constructor(private readonly options: RestClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  private headers(body: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    if (this.options.token) headers['authorization'] = `Bearer ${this.options.token}`;
    else if (this.options.user)
      headers['authorization'] = `Basic ${Buffer.from(this.options.user).toString('base64')}`;
    return headers;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new RestError(
        0,
        `cannot reach the worker at ${this.base} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}); set --url or SLUICE_URL`,
      );
    }
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : null;
    if (!response.ok) {
      const message = (parsed as { message?: string } | null)?.message ?? (text || response.statusText);
      throw new RestError(response.status, `${method} ${path} failed with ${response.status}: ${message}`);
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
