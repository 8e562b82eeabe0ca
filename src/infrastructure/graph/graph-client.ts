import {
  Client,
  GraphClientError,
  GraphError,
  HTTPMessageHandler,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';

/**
 * The Microsoft Graph client with our own middleware chain: Authentication -> Retry -> HTTP.
 *
 * - The stock AuthenticationHandler attaches the token only to https Graph hosts and configured
 *   custom hosts (GraphRequestUtil.isValidEndpoint), so a national cloud or the loopback
 *   emulator would get no token or need `customHosts`. Ours attaches it to exactly the
 *   configured Graph origin, and to nothing else (a nextLink pointing elsewhere gets none).
 * - The stock RetryHandler retries POST and PATCH on 504 too, duplicating a create that
 *   succeeded behind the gateway (PLATFORM.md). Ours retries reads, and writes only when the
 *   caller marks them idempotent (a create keyed by a unique column, an If-Match update).
 * - Every request has a deadline (GRAPH_TIMEOUT_MS). A request that outlives it is abandoned and
 *   counts as a failure whose outcome is unknown, like a 504: a read is sent again, a write only
 *   when it is marked idempotent, and the caller settles it through its unique keys.
 */

export type AccessTokenSource = () => Promise<string>;

/** Per-request option: may this request be sent again after a failure? */
export class RetryPolicy implements MiddlewareOptions {
  constructor(readonly idempotent: boolean) {}
}

export interface RetrySettings {
  readonly maxRetries: number;
  /** Used when a retryable answer carries no Retry-After. */
  readonly baseDelayMs: number;
  /** No single wait is longer than this, whatever Retry-After says. */
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** How long one Graph request (headers and body) may take before it is given up. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export const DEFAULT_RETRY: RetrySettings = {
  maxRetries: 6,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, ms);
    }),
};

const RETRYABLE = new Set([429, 503, 504]);

/** Retry-After in seconds (possibly fractional) or as an HTTP date, in milliseconds. */
export function retryAfterMs(value: string | null | undefined, nowMs = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export function backoffMs(attempt: number, settings: RetrySettings): number {
  return Math.min(
    settings.maxDelayMs,
    settings.baseDelayMs * 2 ** attempt * (1 + Math.random() / 4),
  );
}

/** The request as the HTTP handler sends it: a URL string or a fetch Request. */
const requestOf = (context: Context): { url: string; method: string | undefined } => {
  const request: unknown = context.request;
  if (typeof request === 'string') return { url: request, method: undefined };
  const r = request as { url: string; method?: string };
  return { url: r.url, method: r.method };
};

const methodOf = (context: Context): string =>
  (context.options?.method ?? requestOf(context).method ?? 'GET').toUpperCase();

const urlOf = (context: Context): string => requestOf(context).url;

class BearerTokenHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly origin: string,
    private readonly token: AccessTokenSource,
  ) {}

  async execute(context: Context): Promise<void> {
    const headers = new Headers(context.options?.headers);
    headers.delete('Authorization');
    if (new URL(urlOf(context)).origin === this.origin)
      headers.set('Authorization', `Bearer ${await this.token()}`);
    context.options = { ...context.options, headers: Object.fromEntries(headers.entries()) };
    if (!this.next) throw new Error('the token handler is the last middleware');
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

class IdempotentRetryHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly settings: RetrySettings) {}

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('the retry handler is the last middleware');
    const method = methodOf(context);
    const policy = context.middlewareControl?.getMiddlewareOptions(RetryPolicy) as
      RetryPolicy | undefined;
    const mayRetry = method === 'GET' || method === 'HEAD' || policy?.idempotent === true;
    for (let attempt = 0; ; attempt += 1) {
      let failure: unknown = null;
      try {
        await this.next.execute(context);
      } catch (e) {
        // A network failure: the request may or may not have been carried out.
        failure = e;
      }
      const status = failure === null ? (context.response?.status ?? 0) : 0;
      const retryable = failure !== null || RETRYABLE.has(status);
      if (!retryable || !mayRetry || attempt >= this.settings.maxRetries) {
        if (failure !== null) throw failure instanceof Error ? failure : new Error('fetch failed');
        return;
      }
      const hinted = retryAfterMs(context.response?.headers.get('Retry-After'));
      const wait = Math.min(this.settings.maxDelayMs, hinted ?? backoffMs(attempt, this.settings));
      await this.settings.sleep(wait);
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * Graph gave no complete answer within the deadline. Extends the client's own error class so
 * that the client hands it on as it is (GraphRequest.send rethrows GraphClientError).
 */
export class GraphTimeoutError extends GraphClientError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`Graph did not answer ${method} ${new URL(url).pathname} within ${timeoutMs} ms`);
    // GraphClientError resets the prototype to its own; keep ours so that instanceof works.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'GraphTimeoutError';
  }
}

const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * Aborts a request that has not been answered in full within `timeoutMs`. The body is read here,
 * under the same deadline, so that a response that stalls half-way is given up too.
 */
class TimeoutHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly timeoutMs: number) {}

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('the timeout handler is the last middleware');
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
    }, this.timeoutMs);
    context.options = { ...context.options, signal: controller.signal };
    try {
      await this.next.execute(context);
      const response = context.response;
      if (response) {
        const body = await response.arrayBuffer();
        context.response = new Response(
          NO_BODY.has(response.status) || body.byteLength === 0 ? null : body,
          { status: response.status, statusText: response.statusText, headers: response.headers },
        );
      }
    } catch (e) {
      if (controller.signal.aborted)
        throw new GraphTimeoutError(methodOf(context), urlOf(context), this.timeoutMs);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export interface GraphClientOptions {
  /** e.g. https://graph.microsoft.com/v1.0, https://graph.microsoft.us/v1.0, or the emulator. */
  readonly baseUrl: string;
  readonly accessToken: AccessTokenSource;
  readonly retry?: Partial<RetrySettings> | undefined;
  /** Per request, in milliseconds; DEFAULT_TIMEOUT_MS when not given. */
  readonly timeoutMs?: number | undefined;
}

export interface GraphConnection {
  readonly client: Client;
  /** The Graph base URL with its version, without a trailing slash. */
  readonly baseUrl: string;
  readonly retry: RetrySettings;
  readonly timeoutMs: number;
}

export function createGraphConnection(options: GraphClientOptions): GraphConnection {
  const base = new URL(options.baseUrl.replace(/\/+$/, ''));
  const version = base.pathname.replace(/^\/+/, '') || 'v1.0';
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const auth = new BearerTokenHandler(base.origin, options.accessToken);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new Error(`the Graph timeout must be a whole number of milliseconds >= 1: ${timeoutMs}`);
  const retryHandler = new IdempotentRetryHandler(retry);
  const timeout = new TimeoutHandler(timeoutMs);
  const http = new HTTPMessageHandler();
  auth.setNext(retryHandler);
  retryHandler.setNext(timeout);
  timeout.setNext(http);
  const client = Client.initWithMiddleware({
    middleware: auth,
    baseUrl: `${base.origin}/`,
    defaultVersion: version,
  });
  return { client, baseUrl: `${base.origin}/${version}`, retry, timeoutMs };
}

/** One failed Graph call, normalised: status, Graph error code, and Retry-After if any. */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'GraphRequestError';
  }
}

export function toGraphRequestError(e: unknown, what: string): GraphRequestError | null {
  // Outcome unknown, as with a gateway timeout: 504, so callers treat both alike.
  if (e instanceof GraphTimeoutError)
    return new GraphRequestError(504, 'timeout', `${what}: ${e.message}`);
  if (e instanceof GraphError) {
    return new GraphRequestError(
      e.statusCode,
      e.code,
      `${what}: Graph answered ${e.statusCode} ${e.code ?? ''} ${e.message}`.trim(),
      retryAfterMs(e.headers?.get('Retry-After')),
    );
  }
  return null;
}
