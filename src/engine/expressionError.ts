// The one error type of expression compilation and evaluation; the engine turns it into `expression_error`.
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  /** A JSONata code (e.g. `S0201`, `T2001`) or one of ours (`expression_timeout`, `expression_too_deep`, ...). */
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.code = code;
    // Expression errors are shown to flow authors and operators; engine stack frames only add noise.
    this.stack = `${this.name}: ${message}`;
  }
}
