import type { AppContext } from '../app/AppContext.js';
import type { TranscriptItem } from '../db/types.js';
import { AppError } from '../errors/AppError.js';
import { loadOpenExecution } from '../executions/store/loadOpenExecution.js';
import { readTranscript } from '../executions/store/readTranscript.js';
import { storedWaitView } from '../executions/storedWaitView.js';
import { turnResponse } from '../executions/turnResponse.js';
import { tokenUsageOf } from '../llm/tokenUsage.js';
import type { ChatSession } from '../sessions/ChatSession.js';
import type { HistoryResponse } from '../wire/chatSchemas.js';

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
  const response: HistoryResponse = {
    conversationId: session.conversationId,
    ...(await transcriptPage(ctx, session, query)),
  };
  const open = await loadOpenExecution(ctx.kysely, session);
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

/**
 * One page of a conversation's transcript, oldest first, paginated by item id (the caller has checked that the
 * conversation is one it may read: the session's own, or one of a secret key's tenant).
 */
export async function transcriptPage(
  ctx: AppContext,
  conversation: { tenantId: string; conversationId: string },
  query: { cursor?: string; limit?: number },
): Promise<Pick<HistoryResponse, 'items' | 'nextCursor'>> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = parseCursor(query.cursor);
  // Every turn row holds at least one item: limit + 2 rows hold the page and one item more, even when the first row's
  // items were all on the previous page.
  const rows = await readTranscript(ctx.kysely, conversation, after.row, limit + 2);
  const items: HistoryResponse['items'] = [];
  let more = false;
  for (const row of rows) {
    for (const [index, item] of row.items.entries()) {
      if (row.id === after.row && index <= after.index) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(historyItem(`${row.id}.${index}`, row.execution_id, row.created_at, item));
    }
    if (more) break;
  }
  return { items, nextCursor: more ? items.at(-1)!.id : null };
}

/** Item ids are `<turn row id>.<index>`; the cursor is the last item id a page returned. */
function parseCursor(cursor: string | undefined): { row: number; index: number } {
  if (cursor === undefined) return { row: 0, index: -1 };
  const match = /^(\d{1,15})\.(\d{1,5})$/.exec(cursor);
  if (!match) throw new AppError('invalid_request', 'cursor: not a cursor returned by this API');
  return { row: Number(match[1]), index: Number(match[2]) };
}

function historyItem(
  id: string,
  executionId: string | null,
  createdAt: Date,
  item: TranscriptItem,
): HistoryResponse['items'][number] {
  const base = { id, role: item.role, executionId, createdAt: createdAt.toISOString() };
  if (item.role === 'bot') {
    const usage = tokenUsageOf(item.tokenUsage);
    return { ...base, block: item.body, ...(usage ? { tokenUsage: usage } : {}) };
  }
  const body = item.body as { text?: string; intentName?: string; values?: Record<string, unknown> };
  return {
    ...base,
    ...(body.text !== undefined ? { text: body.text } : {}),
    ...(body.intentName !== undefined ? { intentName: body.intentName } : {}),
    ...(body.values !== undefined ? { values: body.values } : {}),
  };
}
