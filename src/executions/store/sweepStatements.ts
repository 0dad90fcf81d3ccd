import { type Kysely, sql } from 'kysely';
import { json } from '../../db/json.js';
import type { Database } from '../../db/types.js';

// The sweeper's reads and its one conditional update. Status predicates are literals, so that even a generic plan can
// use the partial indexes (executions_wait_expiry).

export async function expiredInputWaits(db: Kysely<Database>, now: Date, limit: number) {
  return db
    .selectFrom('executions')
    .select(['id', 'wait_id'])
    .where('status', '=', sql.lit('waiting_input'))
    .where('wait_expires_at', '<=', now)
    .limit(limit)
    .execute();
}

/** Time waits unchanged since `before`: candidates for a lost job. */
export async function quietTimeWaits(db: Kysely<Database>, before: Date, limit: number) {
  return db
    .selectFrom('executions')
    .select(['id', 'wait_id', 'wait_resume_at'])
    .where('status', '=', sql.lit('waiting_time'))
    .where('updated_at', '<', before)
    .limit(limit)
    .execute();
}

export async function staleRunning(db: Kysely<Database>, before: Date, limit: number) {
  return db
    .selectFrom('executions')
    .select(['id', 'wait_id'])
    .where('status', '=', sql.lit('running'))
    .where('updated_at', '<', before)
    .limit(limit)
    .execute();
}

/**
 * Ends the executions judged, each only if still in the status (and for waits the very wait) it was judged in: a
 * concurrent resume, job or trigger either got there first or finds it ended. A wait id is made for one execution,
 * so "id in … and wait_id in …" keeps each to the wait it was judged on.
 */
export async function endSweptExecutions(
  db: Kysely<Database>,
  now: Date,
  args: {
    ids: string[];
    status: 'waiting_input' | 'waiting_time' | 'running';
    waitIds?: string[];
    expiredBy?: Date;
    set: { status: 'aborted' | 'failed'; reason?: string; error?: { code: string; message: string } };
  },
): Promise<{ id: string; tenant_id: string }[]> {
  let update = db
    .updateTable('executions')
    .set({
      status: args.set.status,
      reason: args.set.reason ?? null,
      error: args.set.error ? json(args.set.error) : null,
      version: sql`version + 1`,
      updated_at: now,
      ended_at: now,
    })
    .where('id', 'in', args.ids)
    .where('status', '=', args.status);
  if (args.waitIds) update = update.where('wait_id', 'in', args.waitIds);
  if (args.expiredBy) update = update.where('wait_expires_at', '<=', args.expiredBy);
  return update.returning(['id', 'tenant_id']).execute();
}
