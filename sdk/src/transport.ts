import { ComerixError } from './ComerixError.js';

/** What a client is configured with; only `baseUrl` and `publicKey` are required. */
export interface ClientOptions {
  /** The server's origin, e.g. `https://flow.example.com` (paths are added by the SDK). */
  baseUrl: string;
  /** The public widget key (`pk_live_…`). */
  publicKey: string;
  /** A fetch implementation; default: the global one (browsers, Node 20). */
  fetch?: typeof fetch;
  /**
   * The `Origin` header to send. Browsers set it themselves and refuse to let scripts change it: leave it unset there.
   * Server-side code (Node) names one of the key's allowed origins, or uses a key with `allowServerSide`.
   */
  origin?: string;
  /** Further tries of a request whose failure is retryable (409 busy/in progress, 429, 5xx, no answer). Default 4. */
  maxRetries?: number;
  /** First backoff step when the answer carries no `Retry-After`; doubled per try, with jitter. Default 250 ms. */
  retryBaseDelayMs?: number;
  /** Upper bound of one backoff step. Default 10 s. */
  maxRetryDelayMs?: number;
  /** Called before each retry (logging, tests). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  method: string;
  path: string;
  attempt: number;
  delayMs: number;
  error: ComerixError;
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  /** Lets the request outlive the page (telemetry flushed on page hide). */
  keepalive?: boolean;
  /** Statuses that are not failures besides 2xx (e.g. 304 for conditional reads). */
  accept?: readonly number[];
}

/** A random id: Idempotency-Key and telemetry clientEventId (crypto.randomUUID: browsers and Node 20). */
export function randomId(): string {
  return globalThis.crypto.randomUUID();
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * HTTP with the API's safety rules: every POST carries an `Idempotency-Key` that stays the same across its retries (so
 * a retried turn is replayed, never run twice), and only failures the server marks retryable — or no answer at all —
 * are retried, honouring `Retry-After`. A 401 is always final here; session renewal is the caller's decision.
 */
export class Transport {
  readonly baseUrl: string;
  readonly publicKey: string;
  private readonly fetchImpl: typeof fetch;
  private readonly maxRetries: number;
  private readonly baseDelay: number;
  private readonly maxDelay: number;

  constructor(readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.publicKey = options.publicKey;
    // Bound late so a polyfill installed after the client was made is still used; `this` must be the global.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.maxRetries = options.maxRetries ?? 4;
    this.baseDelay = options.retryBaseDelayMs ?? 250;
    this.maxDelay = options.maxRetryDelayMs ?? 10_000;
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) params.append(name, v);
      else params.append(name, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  /** Sends `spec`, retrying what is safe to retry; resolves with a 2xx (or accepted) answer, else throws ComerixError. */
  async send(spec: RequestSpec): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
    if (this.options.origin) headers.origin = this.options.origin;
    if (spec.method === 'POST') headers['idempotency-key'] ??= randomId();
    if (spec.json !== undefined) headers['content-type'] = 'application/json';
    const body = spec.json !== undefined ? JSON.stringify(spec.json) : spec.form;
    const url = this.url(spec.path, spec.query);
    for (let attempt = 0; ; attempt++) {
      let error: ComerixError;
      try {
        const response = await this.fetchImpl(url, {
          method: spec.method,
          headers,
          ...(body !== undefined ? { body } : {}),
          ...(spec.signal ? { signal: spec.signal } : {}),
          ...(spec.keepalive ? { keepalive: true } : {}),
        });
        if (response.ok || spec.accept?.includes(response.status)) return response;
        error = await ComerixError.fromResponse(response);
      } catch (cause) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        error = new ComerixError({
          code: 'network_error',
          message: cause instanceof Error ? cause.message : 'The request failed without an answer.',
          status: 0,
          retryable: true,
          cause,
        });
      }
      if (!error.retryable || attempt >= this.maxRetries) throw error;
      const delayMs = this.delay(attempt, error.retryAfterMs);
      this.options.onRetry?.({ method: spec.method, path: spec.path, attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, spec.signal);
    }
  }

  /** `send`, then the JSON body. */
  async json<T>(spec: RequestSpec): Promise<T> {
    const response = await this.send(spec);
    return (await response.json()) as T;
  }

  /** Backoff for try `attempt`: the server's `Retry-After` when given, else exponential with full jitter. */
  delay(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.maxDelay * 6);
    const ceiling = Math.min(this.maxDelay, this.baseDelay * 2 ** attempt);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }
}
