import type { Kysely } from 'kysely';
import type { Database, TranscriptItem } from '../../db/types.js';

/** A conversation's transcript rows (one per turn) from row id `fromRow` on, oldest first. */
export async function readTranscript(
  db: Kysely<Database>,
  conversation: { tenantId: string; conversationId: string },
  fromRow: number,
  limit: number,
): Promise<{ id: number; execution_id: string | null; items: TranscriptItem[]; created_at: Date }[]> {
  return db
    .selectFrom('chat_turns')
    .select(['id', 'execution_id', 'items', 'created_at'])
    .where('conversation_id', '=', conversation.conversationId)
    .where('tenant_id', '=', conversation.tenantId)
    .where('id', '>=', fromRow)
    .orderBy('id')
    .limit(limit)
    .execute();
}
