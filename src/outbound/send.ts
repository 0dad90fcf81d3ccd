import { OutboundError } from './OutboundError.js';
import { excerpt, redact } from './redact.js';
import { describeUrl } from './requestUrl.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter, resolveRetry, sleep } from './retryPolicy.js';
import { type LookupAll, resolveAndCheck } from './ssrfGuard.js';
import { type RawResponse, sendHop } from './transport.js';
import type { HttpMethod, RetryOptions } from './types.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Supplies auth headers per attempt; may ask for one more attempt with fresh credentials after a 401. */
export interface AuthProvider {
  headers(signal: AbortSignal | undefined): Promise<Record<string, string>>;
  /** Called on a 401: true when new credentials are worth one more attempt (OAuth2 token refresh). */
  refreshAfterUnauthorized?(): boolean;
  /** Every string to blank out of messages and excerpts. */
  secrets(): string[];
}

export interface SendSpec {
  method: HttpMethod;
  url: URL;
  /** Redirects must stay on this origin. */
  origin: string;
  headers: Record<string, string>;
  body?: Buffer;
  auth: AuthProvider;
  timeoutMs?: number;
  allowPrivateNetworks?: boolean;
  signal?: AbortSignal;
  maxResponseBytes?: number;
  retry?: RetryOptions;
  lookup?: LookupAll;
  /** Prefix of error messages, e.g. "OAuth2 token request". */
  what?: string;
}

export interface SendResult {
  raw: RawResponse;
  attempts: number;
}

/**
 * The guarded client's core: per attempt a deadline, the SSRF guard before every hop, at most 3 same-origin
 * redirects, then retries decided by method and outcome (see retryPolicy). A final status ≥ 400 is an
 * `http_status` OutboundError.
 */
export async function send(spec: SendSpec): Promise<SendResult> {
  const retry = resolveRetry(spec.retry);
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const what = spec.what ?? spec.method;
  let refreshed = false;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(spec.signal, what, spec.url);
    // Credentials first, outside the attempt's deadline: an OAuth2 token request has its own timeouts and retries.
    let authHeaders: Record<string, string>;
    try {
      authHeaders = await spec.auth.headers(spec.signal);
    } catch (error) {
      throw asOutboundError(error, spec, what);
    }
    let raw: RawResponse;
    try {
      raw = await withDeadline(spec, timeoutMs, what, (signal) =>
        followRedirects(spec, { ...spec.headers, ...authHeaders }, signal),
      );
    } catch (error) {
      const failure = asOutboundError(error, spec, what);
      failure.attempts = attempt;
      if (failure.retryable && failure.code !== 'aborted' && attempt < retry.maxAttempts) {
        await pause(backoffDelay(attempt, retry), spec, what);
        continue;
      }
      throw failure;
    }

    if (raw.status === 401 && !refreshed && attempt < retry.maxAttempts && spec.auth.refreshAfterUnauthorized?.()) {
      refreshed = true;
      continue;
    }
    const retryable = isRetryableStatus(spec.method, raw.status);
    const retryAfterMs = retryable ? parseRetryAfter(header(raw, 'retry-after')) : undefined;
    if (retryable && attempt < retry.maxAttempts && (retryAfterMs ?? 0) <= retry.maxRetryAfterMs) {
      await pause(retryAfterMs ?? backoffDelay(attempt, retry), spec, what);
      continue;
    }
    if (raw.status >= 400) {
      const secrets = spec.auth.secrets();
      throw new OutboundError(
        'http_status',
        redact(`${what} ${describeUrl(spec.url)} failed: HTTP ${raw.status}`, secrets),
        {
          retryable,
          status: raw.status,
          bodyExcerpt: excerpt(raw.body.toString('utf8'), secrets),
          attempts: attempt,
          ...(retryAfterMs !== undefined && retryAfterMs > retry.maxRetryAfterMs ? { retryAfterMs } : {}),
        },
      );
    }
    return { raw, attempts: attempt };
  }
}

export function header(raw: RawResponse, name: string): string | undefined {
  const value = raw.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

async function followRedirects(spec: SendSpec, headers: Record<string, string>, signal: AbortSignal) {
  let url = spec.url;
  let method: string = spec.method;
  let body = spec.body;
  let hopHeaders = headers;
  for (let hop = 0; ; hop++) {
    const addresses = await resolveAndCheck(url.hostname, {
      allowPrivateNetworks: spec.allowPrivateNetworks ?? false,
      ...(spec.lookup ? { lookup: spec.lookup } : {}),
      signal,
    });
    const raw = await sendHop({
      url,
      method,
      headers: body ? { ...hopHeaders, 'content-length': String(body.length) } : hopHeaders,
      ...(body ? { body } : {}),
      addresses,
      signal,
      maxResponseBytes: spec.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    });
    const location = header(raw, 'location');
    if (!REDIRECTS.has(raw.status) || !location || hop >= MAX_REDIRECTS) return raw;
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return raw;
    }
    if (next.origin !== spec.origin || next.username || next.password) {
      throw new OutboundError(
        'origin_mismatch',
        `refused: ${describeUrl(url)} redirected (HTTP ${raw.status}) to another origin (${safeOrigin(next)})`,
        { retryable: false, status: raw.status },
      );
    }
    next.hash = '';
    if (raw.status === 303 ? method !== 'HEAD' : (raw.status === 301 || raw.status === 302) && method === 'POST') {
      method = 'GET';
      body = undefined;
      const { 'content-type': _dropped, ...rest } = hopHeaders;
      hopHeaders = rest;
    }
    url = next;
  }
}

function safeOrigin(url: URL): string {
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

/** Runs one attempt under its own deadline, linked to the caller's signal; the abort reason is the error to throw. */
async function withDeadline<T>(
  spec: SendSpec,
  timeoutMs: number,
  what: string,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new OutboundError('timeout', `${what} ${describeUrl(spec.url)}: no complete response within ${timeoutMs} ms`, {
          retryable: true,
        }),
      ),
    timeoutMs,
  );
  const onAbort = () => controller.abort(abortedError(what, spec.url));
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(controller.signal);
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof OutboundError) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
  }
}

function abortedError(what: string, url: URL): OutboundError {
  return new OutboundError('aborted', `${what} ${describeUrl(url)}: cancelled`, { retryable: false });
}

function throwIfAborted(signal: AbortSignal | undefined, what: string, url: URL): void {
  if (signal?.aborted) throw abortedError(what, url);
}

async function pause(ms: number, spec: SendSpec, what: string): Promise<void> {
  try {
    await sleep(ms, spec.signal);
  } catch {
    throw abortedError(what, spec.url);
  }
}

function asOutboundError(error: unknown, spec: SendSpec, what: string): OutboundError {
  if (error instanceof OutboundError) {
    const secrets = spec.auth.secrets();
    const message = redact(error.message, secrets);
    if (message === error.message) return error;
    return new OutboundError(error.code, message, error);
  }
  // Not expected (every layer throws OutboundError); keep the message generic so nothing secret can leak.
  return new OutboundError('connection_error', `${what} ${describeUrl(spec.url)}: request failed`, {
    retryable: false,
    causeCode: (error as NodeJS.ErrnoException)?.code ?? 'EUNKNOWN',
  });
}
