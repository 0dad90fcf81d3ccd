import { setTimeout as sleep } from 'node:timers/promises';
import { dbErrorKind, violatedConstraint } from '../db/sqlState.js';
import { AppError } from '../errors/AppError.js';

/**
 * A turn's write found the conversation changed since its read (`comerix_turn_guard`, the unique open-execution
 * index, a deadlock or serialization failure). Nothing was written; the turn can be run again from a fresh read.
 */
export class TurnConflict extends Error {
  constructor() {
    super('The conversation changed while the turn ran.');
    this.name = 'TurnConflict';
  }

  static from(error: unknown): unknown {
    if (error instanceof TurnConflict) return error;
    const kind = dbErrorKind(error);
    if (kind === 'conflict') return new TurnConflict();
    // The request's idempotency record was taken over by a retry: that retry's turn is the one that may commit.
    if (kind === 'receipt_lost') {
      return new AppError('idempotency_in_progress', 'A retry with this Idempotency-Key took over.', undefined, {
        'Retry-After': '1',
      });
    }
    if (kind === 'unique_violation' && violatedConstraint(error) === 'executions_open') return new TurnConflict();
    return error;
  }
}

const MAX_ATTEMPTS = 8;

/**
 * Runs an optimistic turn until its write applies. Turns of one conversation rarely overlap (one visitor), so the
 * first attempt almost always wins; a burst of concurrent ones spreads out with a small random backoff, and a turn
 * that keeps losing answers 409 `conversation_busy` with Retry-After. `onConflict` drops whatever cached state the
 * lost attempt ran on, so the next one reads.
 */
export async function retryTurn<T>(turn: () => Promise<T>, onConflict?: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await turn();
    } catch (error) {
      if (!(error instanceof TurnConflict)) throw error;
      onConflict?.();
      if (attempt >= MAX_ATTEMPTS) {
        throw new AppError(
          'conversation_busy',
          'Other turns of this conversation keep changing it. Retry shortly.',
          undefined,
          { 'Retry-After': '1' },
        );
      }
      await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
  }
}
