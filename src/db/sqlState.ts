// The one map from database errors (SQLSTATEs, driver codes) to what they mean for us.

/** What a database error means for the request or turn that got it. */
export type DbErrorKind =
  /** Another writer changed what we read (our turn guard), a deadlock, a serialization failure: run again. */
  | 'conflict'
  /** Our receipt guard: the request's idempotency record was taken over by a retry. */
  | 'receipt_lost'
  /** A unique index refused the row. */
  | 'unique_violation'
  /** The database is down, restarting, or out of connections: retry with backoff. */
  | 'unavailable'
  | 'other';

const KINDS: Record<string, DbErrorKind> = {
  CX409: 'conflict', // comerix_turn_guard
  '40P01': 'conflict', // deadlock_detected
  '40001': 'conflict', // serialization_failure
  '0A000': 'conflict', // a table changed under a prepared statement, which then runs unprepared
  CX412: 'receipt_lost', // comerix_receipt_guard
  '23505': 'unique_violation',
  '57P01': 'unavailable', // admin_shutdown
  '53300': 'unavailable', // too_many_connections
  ECONNREFUSED: 'unavailable',
  ETIMEDOUT: 'unavailable',
};

export function dbErrorKind(error: unknown): DbErrorKind {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return (typeof code === 'string' && KINDS[code]) || 'other';
}

/** The constraint a unique violation names, if any. */
export function violatedConstraint(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null | undefined)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}
