import type { FastifyReply } from 'fastify';
import { AppError } from '../../errors/AppError.js';

/**
 * Caps on what holds a connection open (SSE streams and long polls, DESIGN §12): per session, so that one session
 * cannot pin the process, and per process in all. A slot is given back when the response closes, however it ends.
 */
export class StreamSlots {
  private readonly perSession = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxPerSession: number,
    private readonly maxPerProcess: number,
  ) {}

  /** Takes a slot for the life of `reply`; over a cap → 429 `rate_limited` naming the cap in `details.limit`. */
  acquire(sessionId: string, reply: FastifyReply): void {
    const held = this.perSession.get(sessionId) ?? 0;
    if (held >= this.maxPerSession) throw over('streams_per_session', this.maxPerSession);
    if (this.total >= this.maxPerProcess) throw over('streams_per_process', this.maxPerProcess);
    this.perSession.set(sessionId, held + 1);
    this.total += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.perSession.get(sessionId) ?? 1) - 1;
      if (left > 0) this.perSession.set(sessionId, left);
      else this.perSession.delete(sessionId);
    };
    if (reply.raw.destroyed) release();
    else reply.raw.once('close', release);
  }

  /** Open slots of one session (tests, metrics). */
  heldBy(sessionId: string): number {
    return this.perSession.get(sessionId) ?? 0;
  }
}

function over(limit: 'streams_per_session' | 'streams_per_process', max: number): AppError {
  return new AppError(
    'rate_limited',
    limit === 'streams_per_session'
      ? `This session already holds ${max} open streams or long polls. Close one first.`
      : 'The server holds too many open streams. Retry shortly.',
    { limit, max },
    { 'Retry-After': '1' },
  );
}
