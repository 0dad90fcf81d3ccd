import type { ErrorCode, ErrorEnvelope } from './types.js';

/** One field's problem in a 422 `validation_failed` answer. */
export interface FieldIssue {
  path: string;
  rule: string;
  message: string;
}

/**
 * A failed call, typed from the error envelope (DESIGN §12). `retryable` is the server's word on whether the same
 * request may succeed later; the SDK already retried those it safely could before throwing. `network_error` means
 * no answer arrived (offline, connection cut) and `invalid_response` an answer that was not the documented envelope.
 */
export class ComerixError extends Error {
  override readonly name = 'ComerixError';
  readonly code: ErrorCode | 'network_error' | 'invalid_response';
  /** The HTTP status; 0 when no answer arrived. */
  readonly status: number;
  readonly retryable: boolean;
  /** The server's request id (quote it when reporting a problem); empty when no answer arrived. */
  readonly requestId: string;
  readonly details: Record<string, unknown> | undefined;
  /** `Retry-After` in milliseconds, when the answer carried one. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    code: ComerixError['code'];
    message: string;
    status: number;
    retryable: boolean;
    requestId?: string;
    details?: Record<string, unknown>;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.retryable = init.retryable;
    this.requestId = init.requestId ?? '';
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** The per-field problems of a 422 `validation_failed`, else an empty list. */
  get fields(): FieldIssue[] {
    const fields = this.details?.fields;
    return Array.isArray(fields) ? (fields as FieldIssue[]) : [];
  }

  /** From an envelope (a JSON error answer, or a stream's `error` event). */
  static fromEnvelope(envelope: ErrorEnvelope, retryAfterMs?: number): ComerixError {
    const e = envelope.error;
    return new ComerixError({
      code: e.code,
      message: e.message,
      status: e.status,
      retryable: e.retryable,
      requestId: e.requestId,
      ...(e.details ? { details: e.details } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  /** From a failed HTTP answer; a body that is not the envelope (a proxy's page) still gives a typed error. */
  static async fromResponse(response: Response): Promise<ComerixError> {
    const retryAfterMs = retryAfterOf(response);
    const text = await response.text().catch(() => '');
    try {
      const parsed = JSON.parse(text) as Partial<ErrorEnvelope>;
      if (parsed.error && typeof parsed.error.code === 'string') {
        return ComerixError.fromEnvelope(parsed as ErrorEnvelope, retryAfterMs);
      }
    } catch {
      // Not JSON: fall through to the generic error below.
    }
    return new ComerixError({
      code: 'invalid_response',
      message: `HTTP ${response.status} without an error envelope`,
      status: response.status,
      // Gateways answer 502/504 while the service restarts; those are worth another try, anything else is not.
      retryable: response.status === 502 || response.status === 503 || response.status === 504,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
}

/** `Retry-After` in ms (delta-seconds or an HTTP date), or undefined. */
export function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
