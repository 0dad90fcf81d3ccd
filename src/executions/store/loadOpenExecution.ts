import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.js';
import { type StoredExecution, storedExecutionColumns } from '../turnResponse.js';
import { OPEN_STATUS_LITERALS } from './openStatusLiterals.js';

/** The conversation's open execution (at most one), as polls and the history show it. */
export async function loadOpenExecution(
  db: Kysely<Database>,
  conversation: { tenantId: string; conversationId: string },
): Promise<StoredExecution | undefined> {
  return db
    .selectFrom('executions')
    .select(storedExecutionColumns)
    .where('conversation_id', '=', conversation.conversationId)
    .where('tenant_id', '=', conversation.tenantId)
    .where('status', 'in', OPEN_STATUS_LITERALS)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
