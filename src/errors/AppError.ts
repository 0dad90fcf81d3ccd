import { type ErrorCode, errorCatalog } from './catalog.js';

export interface FieldIssue {
  path: string;
  rule: string;
  message: string;
}

/** Every error a client can see is an AppError: a stable code, its status and retryability from the catalog. */
export class AppError extends Error {
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = errorCatalog[code].status;
    this.retryable = errorCatalog[code].retryable;
  }

  static validation(fields: FieldIssue[], message = 'Some values are not valid.'): AppError {
    return new AppError('validation_failed', message, { fields });
  }
}
