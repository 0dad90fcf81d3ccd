import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.js';
import { type StoredExecution, storedExecutionColumns } from '../turnResponse.js';

/** An execution of the caller's conversation, as polls, streams and the history show it; undefined when not there. */
export async function loadExecution(
  db: Kysely<Database>,
  executionId: string,
  caller: { tenantId: string; conversationId: string },
): Promise<StoredExecution | undefined> {
  return db
    .selectFrom('executions')
    .select(storedExecutionColumns)
    .where('id', '=', executionId)
    .where('tenant_id', '=', caller.tenantId)
    .where('conversation_id', '=', caller.conversationId)
    .executeTakeFirst();
}
