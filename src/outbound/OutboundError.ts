export type OutboundErrorCode =
  /** A resolved address (or an IP literal) is private, loopback, link-local, metadata… and that is not allowed. */
  | 'ssrf_blocked'
  /** The request (or a redirect) would leave the connection's origin. Nothing was sent there. */
  | 'origin_mismatch'
  /** A header name or value is not valid (CR/LF, control characters, a reserved name). */
  | 'invalid_header'
  /** The base URL, path or query cannot make a URL under the connection's base URL. */
  | 'invalid_url'
  /** No complete response within timeoutMs (per attempt). */
  | 'timeout'
  /** DNS failure, refused or reset connection, TLS failure. */
  | 'connection_error'
  /** The final response has a status ≥ 400 (after retries). */
  | 'http_status'
  /** The response body is larger than the cap. */
  | 'response_too_large'
  /** The response could not be used (e.g. an OAuth2 token endpoint answered without an access token). */
  | 'invalid_response'
  /** The caller's AbortSignal fired. */
  | 'aborted';

export interface OutboundErrorDetails {
  /** Whether a later retry (e.g. by the job queue) may succeed. */
  retryable: boolean;
  status?: number;
  /** At most a few hundred characters of the response body, with the connection's secrets blanked out. */
  bodyExcerpt?: string;
  /** The server's Retry-After, in ms, when it asked for longer than the client waits. */
  retryAfterMs?: number;
  /** Requests attempted (0 when refused before the first one, e.g. an invalid header). */
  attempts?: number;
  /** A low-level cause code such as ECONNREFUSED (never an object that could carry request options). */
  causeCode?: string;
}

/**
 * Every failure of `outboundRequest` is an OutboundError. Its message names the method, origin and path — never a
 * header value, a URL's userinfo or query, or any part of the connection's secret.
 */
export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  readonly retryable: boolean;
  readonly status?: number;
  readonly bodyExcerpt?: string;
  readonly retryAfterMs?: number;
  attempts: number;
  readonly causeCode?: string;

  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    details: OutboundErrorDetails,
  ) {
    super(message);
    this.retryable = details.retryable;
    if (details.status !== undefined) this.status = details.status;
    if (details.bodyExcerpt !== undefined) this.bodyExcerpt = details.bodyExcerpt;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.causeCode !== undefined) this.causeCode = details.causeCode;
    this.attempts = details.attempts ?? 0;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.bodyExcerpt !== undefined ? { bodyExcerpt: this.bodyExcerpt } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.causeCode !== undefined ? { causeCode: this.causeCode } : {}),
      attempts: this.attempts,
    };
  }
}
