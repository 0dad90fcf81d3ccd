import type { Kysely, RawBuilder } from 'kysely';
import type { Database } from '../db/types.js';
import type { Json } from '../engine/types.js';

/**
 * The finished idempotency record of a request, written by the change it answers — in the same statement or
 * transaction — so a crash can never leave a committed change whose retry runs again. Services take it without
 * knowing routes: they hand it the answer in the form their replay understands.
 */
export interface Receipt {
  /**
   * An UPDATE (no trailing semicolon) that records the answer, affecting one row while this request still owns its
   * record and none once another took it over; for a data-modifying CTE (`… returning 1`) of the change's statement.
   */
  sql(status: number, stored: Json): RawBuilder<unknown>;
  /** Runs `sql` inside the change's transaction; throws `idempotency_in_progress` (rolling it back) when not owned. */
  write(trx: Kysely<Database>, status: number, stored: Json): Promise<void>;
  /** Whether a change carried it (then the route must not finish the record again). */
  readonly used: boolean;
}
