import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.js';
import type { Block } from '../../engine/blocks.js';

/** The execution's blocks with a sequence number above `afterSeq`, in order, from its transcript rows. */
export async function blocksAfter(db: Kysely<Database>, executionId: string, afterSeq: number): Promise<Block[]> {
  const rows = await db
    .selectFrom('chat_turns')
    .select('items')
    .where('execution_id', '=', executionId)
    .where('last_seq', '>', afterSeq)
    .orderBy('first_seq')
    .execute();
  const blocks: Block[] = [];
  for (const row of rows) {
    for (const item of row.items) if (item.role === 'bot' && item.seq > afterSeq) blocks.push(item.body);
  }
  return blocks;
}
