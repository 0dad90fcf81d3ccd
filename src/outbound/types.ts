import type { OAuthTokenCache } from './oauth2.js';
import type { LookupAll } from './ssrfGuard.js';

/** Auth of a connection, with its secret in clear: only ever built by `resolveConnection` for the outbound client. */
export type OutboundAuth =
  | { type: 'none' }
  | { type: 'header'; headerName: string; value: string }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2_client_credentials';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      /** How the client authenticates at the token URL (RFC 6749 §2.3.1); default `basic`. */
      clientAuth?: 'basic' | 'post';
    };

/** What the outbound client needs to call a connection. */
export interface OutboundConnection {
  /** Identifies the connection in the OAuth2 token cache. */
  id: string;
  name: string;
  /** http(s) URL without userinfo, query or fragment; request paths are appended to its path. */
  baseUrl: string;
  auth: OutboundAuth;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RetryOptions {
  /** Attempts in all, including the first (default 3, at most 3). */
  maxAttempts?: number;
  /** First backoff (default 200 ms); doubles per retry, with jitter between 50% and 100%. */
  baseDelayMs?: number;
  /** Longest backoff (default 5 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this (default 10 s) is not waited for: the error says retryAfterMs instead. */
  maxRetryAfterMs?: number;
  /** Jitter source in [0, 1) (tests pass a constant). */
  random?: () => number;
}

export interface OutboundRequestOptions {
  connection: OutboundConnection;
  method: HttpMethod;
  /**
   * Already percent-encoded path (each templated value through encodeURIComponent), appended to the base URL's path
   * after a `/`. It may not leave the base path (`..` segments) nor contain a fragment, whitespace or controls.
   */
  path?: string;
  /** Query parameters, encoded with URLSearchParams. */
  query?: Record<string, string>;
  /** Extra headers; CR/LF or other controls in a name or value → `invalid_header`. */
  headers?: Record<string, string>;
  /** JSON body (sent as application/json unless the headers give another content type). */
  body?: unknown;
  /** Per attempt: DNS, connect, redirects and the whole body (default 10 s). */
  timeoutMs?: number;
  /** Sent as `Idempotency-Key` on every attempt (default: a random UUID per call). */
  idempotencyKey?: string;
  /** COMERIX_ALLOW_PRIVATE_NETWORKS: let loopback/private/link-local… addresses through (never metadata). */
  allowPrivateNetworks?: boolean;
  signal?: AbortSignal;
  /** Response body cap (default 1 MiB). */
  maxResponseBytes?: number;
  retry?: RetryOptions;
  /** DNS resolution (default: dns.lookup with all addresses). Called once per attempt and hop. */
  lookup?: LookupAll;
  /** OAuth2 token cache (default: one per process). */
  tokenCache?: OAuthTokenCache;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the content type is JSON (null when empty), else text. */
  body: unknown;
  /** Wall time of the whole call, retries and backoff included. */
  latencyMs: number;
  attempts: number;
}
