import type { AppContext } from '../app/AppContext.js';
import { engineConversation, engineExecution } from '../engineApi/engineService.js';
import { decodeKeyset, keysetPage } from '../engineApi/keysetCursor.js';
import type { EngineConversation, EngineExecution } from '../wire/engineSchemas.js';
import { type HistoryFilters, searchConversations } from './historyStore.js';

export interface ConversationSummary {
  conversationId: string;
  customerId: string;
  widgetKeyId: string;
  test: boolean;
  executions: number;
  createdAt: string;
  updatedAt: string;
}

/** The admin's history search (DESIGN §16): newest first, `nextCursor` for the next page. */
export async function searchHistory(
  ctx: AppContext,
  tenantId: string,
  filters: HistoryFilters & { cursor?: string; limit?: number },
): Promise<{ items: ConversationSummary[]; nextCursor: string | null }> {
  const limit = filters.limit ?? 50;
  const page = keysetPage(
    await searchConversations(ctx.kysely, tenantId, filters, decodeKeyset(filters.cursor), limit + 1),
    limit,
  );
  return {
    items: page.rows.map((c) => ({
      conversationId: c.id,
      customerId: c.customer_id,
      widgetKeyId: c.public_key_id,
      test: c.purpose === 'test_pane',
      executions: Number(c.executions ?? 0),
      createdAt: c.created_at.toISOString(),
      updatedAt: c.updated_at.toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}

/**
 * A conversation as the admin reads it: the transcript, the widget's variables (marked untrusted), and every
 * execution of the page in full — its blocks, step trace and token usage.
 */
export async function conversationView(
  ctx: AppContext,
  tenantId: string,
  conversationId: string,
  query: { cursor?: string; limit?: number; executionsCursor?: string; executionsLimit?: number },
): Promise<EngineConversation & { executionDetails: EngineExecution[] }> {
  const auth = { tenantId };
  const conversation = await engineConversation(ctx, auth, conversationId, query);
  const executionDetails: EngineExecution[] = [];
  for (const e of conversation.executions.items) {
    executionDetails.push(await engineExecution(ctx, auth, e.executionId, {}));
  }
  return { ...conversation, executionDetails };
}
