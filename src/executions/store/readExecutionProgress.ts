import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.js';

/** Where an execution stands, as a worker checks before doing a job's work: status, wait and running time. */
export async function readExecutionProgress(
  db: Kysely<Database>,
  executionId: string,
  tenantId: string,
): Promise<{ status: string; wait_id: string | null; active_ms: number } | undefined> {
  return db
    .selectFrom('executions')
    .select(['status', 'wait_id', 'active_ms'])
    .where('id', '=', executionId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}
