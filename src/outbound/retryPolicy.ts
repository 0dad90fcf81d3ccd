import type { HttpMethod, RetryOptions } from './types.js';

export const DEFAULT_RETRY = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 10_000,
} as const;

export type ResolvedRetry = Required<Omit<RetryOptions, 'random'>> & { random: () => number };

export function resolveRetry(options: RetryOptions | undefined): ResolvedRetry {
  return {
    maxAttempts: Math.min(Math.max(Math.trunc(options?.maxAttempts ?? DEFAULT_RETRY.maxAttempts), 1), 3),
    baseDelayMs: Math.max(options?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs, 0),
    maxDelayMs: Math.max(options?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs, 0),
    maxRetryAfterMs: Math.max(options?.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs, 0),
    random: options?.random ?? Math.random,
  };
}

/** Methods whose repetition has no extra effect (RFC 9110 §9.2.2); POST and PATCH are not among them. */
export function isIdempotent(method: HttpMethod): boolean {
  return method !== 'POST' && method !== 'PATCH';
}

/**
 * Whether a response status is worth another attempt: 429 for every method (the server did not process it);
 * 502/503/504 only for idempotent methods — a POST may have had its effect before the gateway gave up.
 */
export function isRetryableStatus(method: HttpMethod, status: number): boolean {
  if (status === 429) return true;
  return isIdempotent(method) && (status === 502 || status === 503 || status === 504);
}

/** Exponential backoff with "equal jitter": between 50% and 100% of base·2^(retry−1), capped. */
export function backoffDelay(retry: number, options: ResolvedRetry): number {
  const ceiling = Math.min(options.baseDelayMs * 2 ** Math.max(retry - 1, 0), options.maxDelayMs);
  return Math.round(ceiling * (0.5 + 0.5 * options.random()));
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(date - now, 0);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
