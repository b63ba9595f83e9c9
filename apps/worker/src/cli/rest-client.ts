/** Talks to a worker's REST API for the CLI: base URL, auth, and Kafka Connect error bodies. */

export interface RestClientOptions {
  url: string;
  token?: string;
  /** user:password for basic auth */
  user?: string;
  /** Told the text of each Warning the worker sent with an answer (settings nothing reads, say). */
  onWarning?: (text: string) => void;
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
  /** user:password from --user, or from the URL's user info (fetch refuses URLs that hold one). */
  private readonly user: string | undefined;

  constructor(private readonly options: RestClientOptions) {
    const { base, user } = withoutUserInfo(options.url.replace(/\/+$/, ''));
    this.base = base;
    this.user = options.user ?? user;
  }

  private headers(body: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    if (this.options.token) headers['authorization'] = `Bearer ${this.options.token}`;
    else if (this.user) headers['authorization'] = `Basic ${Buffer.from(this.user).toString('base64')}`;
    return headers;
  }

  /** `parse` reads the JSON body: JSON.parse unless its numbers must stay exact. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    parse: (text: string) => unknown = JSON.parse,
  ): Promise<T> {
    return (await this.exchange<T>(method, path, body, parse)).body;
  }

  /** request(), with the status of the answer (2xx: others throw). */
  async exchange<T>(
    method: string,
    path: string,
    body?: unknown,
    parse: (text: string) => unknown = JSON.parse,
  ): Promise<{ status: number; body: T }> {
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
    for (const warning of warningTexts(response.headers.get('warning'))) this.options.onWarning?.(warning);
    const parsed: unknown = text ? safeJson(text, parse) : null;
    if (!response.ok) {
      const message = (parsed as { message?: string } | null)?.message ?? (text || response.statusText);
      throw new RestError(response.status, `${method} ${path} failed with ${response.status}: ${message}`);
    }
    return { status: response.status, body: parsed as T };
  }

  get<T>(path: string, parse?: (text: string) => unknown): Promise<T> {
    return this.request<T>('GET', path, undefined, parse);
  }
}

/** `url` without `user:password@` (kept out of every message), and that user info, decoded. */
export function withoutUserInfo(url: string): { base: string; user?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { base: url };
  }
  if (parsed.username === '' && parsed.password === '') return { base: url };
  const user = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { base: parsed.href.replace(/\/+$/, ''), user };
}

function safeJson(text: string, parse: (text: string) => unknown): unknown {
  try {
    return parse(text);
  } catch {
    return text;
  }
}

/** The texts of Warning header values (`299 - "text"`, several joined by commas). */
export function warningTexts(header: string | null): string[] {
  if (header === null) return [];
  const out: string[] = [];
  for (const m of header.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}
