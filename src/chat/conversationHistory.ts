import type { AppContext } from '../app/AppContext.js';
import type { Block } from '../engine/blocks.js';
import { AppError } from '../errors/AppError.js';
import { OPEN_STATUS_LITERALS } from '../executions/openStatusLiterals.js';
import { storedWaitView } from '../executions/storedWaitView.js';
import { storedExecutionColumns, turnResponse } from '../executions/turnResponse.js';
import type { HistoryResponse } from '../wire/chatSchemas.js';
import type { ChatSession } from './authenticateSession.js';

const DEFAULT_LIMIT = 50;

/**
 * The session's own conversation transcript, oldest first, paginated by item id; plus the execution that still
 * waits, so a reloaded widget can finish an open form.
 */
export async function conversationHistory(
  ctx: AppContext,
  session: ChatSession,
  query: { cursor?: string; limit?: number },
): Promise<HistoryResponse> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  let afterId = 0;
  if (query.cursor !== undefined) {
    if (!/^\d{1,15}$/.test(query.cursor))
      throw new AppError('invalid_request', 'cursor: not a cursor returned by this API');
    afterId = Number(query.cursor);
  }
  const rows = await ctx.kysely
    .selectFrom('chat_items')
    .select(['id', 'role', 'execution_id', 'body', 'created_at'])
    .where('conversation_id', '=', session.conversationId)
    .where('tenant_id', '=', session.tenantId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const items: HistoryResponse['items'] = page.map((r) => {
    const base = { id: String(r.id), role: r.role, executionId: r.execution_id, createdAt: r.created_at.toISOString() };
    if (r.role === 'bot') return { ...base, block: r.body as unknown as Block };
    const body = r.body as { text?: string; intentName?: string; values?: Record<string, unknown> };
    return {
      ...base,
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(body.intentName !== undefined ? { intentName: body.intentName } : {}),
      ...(body.values !== undefined ? { values: body.values } : {}),
    };
  });
  const response: HistoryResponse = {
    conversationId: session.conversationId,
    items,
    nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null,
  };
  const open = await ctx.kysely
    .selectFrom('executions')
    .select(storedExecutionColumns)
    .where('conversation_id', '=', session.conversationId)
    .where('tenant_id', '=', session.tenantId)
    .where('status', 'in', OPEN_STATUS_LITERALS)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (open) {
    const view = turnResponse(ctx.secrets, open, [], storedWaitView(open));
    response.pending = {
      executionId: view.executionId,
      status: view.status,
      ...(view.waitToken ? { waitToken: view.waitToken } : {}),
      ...(view.wait ? { wait: view.wait } : {}),
    };
  }
  return response;
}
