import type { Kysely } from 'kysely';
import type { Database, TranscriptItem } from '../db/types.js';
import { delimitData } from '../engine/templates.js';

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * The last `turns` turns of the conversation's transcript before the current one (the turn that reached the `llm`
 * node, whose text the prompt itself carries), oldest first, as chat messages: what the visitor sent as a user message
 * fenced as data (it is untrusted), the flow's text and markdown blocks as assistant messages.
 */
export async function readHistory(
  db: Kysely<Database>,
  args: { tenantId: string; conversationId: string; executionId: string; turns: number },
): Promise<HistoryMessage[]> {
  if (args.turns <= 0) return [];
  const rows = await db
    .selectFrom('chat_turns')
    .select(['execution_id', 'items'])
    .where('tenant_id', '=', args.tenantId)
    .where('conversation_id', '=', args.conversationId)
    .orderBy('id', 'desc')
    .limit(args.turns + 1)
    .execute();
  if (rows[0]?.execution_id === args.executionId) rows.shift();
  const messages: HistoryMessage[] = [];
  for (const row of rows.slice(0, args.turns).reverse()) {
    for (const item of row.items as TranscriptItem[]) {
      const message = messageOf(item);
      if (message) messages.push(message);
    }
  }
  return messages;
}

function messageOf(item: TranscriptItem): HistoryMessage | undefined {
  if (item.role === 'bot') {
    const block = item.body as { type: string; text?: unknown };
    if ((block.type === 'text' || block.type === 'markdown') && typeof block.text === 'string') {
      return { role: 'assistant', content: block.text };
    }
    return undefined;
  }
  const body = item.body;
  if (typeof body.text === 'string' && body.text !== '') return { role: 'user', content: delimitData(body.text) };
  if (body.values && typeof body.values === 'object') {
    return { role: 'user', content: delimitData(JSON.stringify(body.values)) };
  }
  return undefined;
}
