import { defineRoute } from '../../http/defineRoute.js';
import { historyQuery, historyResponse } from '../../wire/chatSchemas.js';
import { conversationHistory } from '../conversationHistory.js';
import { CHAT_BASE, SESSION_ROUTE_ERRORS } from './sessionRouteErrors.js';

export const historyRoute = defineRoute({
  method: 'GET',
  path: `${CHAT_BASE}/history`,
  operationId: 'conversationHistory',
  summary: "The session's conversation transcript",
  description: 'Oldest first, paginated with cursor/limit, plus `pending` when an execution still waits.',
  tags: ['Chat'],
  auth: 'session',
  cors: true,
  query: historyQuery,
  response: { status: 200, description: 'Transcript', schema: historyResponse },
  errors: SESSION_ROUTE_ERRORS,
  handler: async ({ ctx, auth, query }) => ({
    status: 200,
    body: await conversationHistory(ctx, await auth.session(), query),
    headers: { 'cache-control': 'no-store' },
  }),
});
