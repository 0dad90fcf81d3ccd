import type { ExecutionErrorCode } from '../engine/types.js';
import type { TokenUsage } from '../llm/tokenUsage.js';

/** A job outcome that retrying cannot change: the execution fails with this code. */
export class JobFailure extends Error {
  /** LLM tokens spent before the job failed (an answer that never matched its schema): still the turn's usage. */
  usage?: TokenUsage;

  constructor(
    readonly code: ExecutionErrorCode,
    /** Shown to the visitor (error block, poll `error`): no URLs, bodies or secrets. */
    message: string,
    readonly retryable = false,
    /** For the operator's log only. */
    readonly detail?: string,
  ) {
    super(message);
  }
}
