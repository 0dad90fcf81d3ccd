import { conversationView, searchHistory } from '../../history/conversationHistory.js';
import { historyFiltersOf } from '../../history/historyFiltersOf.js';
import { defineRoute } from '../../http/defineRoute.js';
import { adminIdParams, historyList, historyQuery } from '../../wire/adminSchemas.js';
import { engineConversation, engineConversationQuery, engineExecution } from '../../wire/engineSchemas.js';
import { ADMIN_BASE, ADMIN_READ_ERRORS, NO_STORE } from './adminRouteErrors.js';

const TAGS = ['Admin: history'];

export const searchHistoryRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/conversations`,
  operationId: 'adminSearchConversations',
  summary: 'Search the conversation history',
  description:
    'By customer, by intent or status of any of its executions, and by when it started; newest first, `?cursor=` for the next page.',
  tags: TAGS,
  auth: 'admin',
  query: historyQuery,
  response: { status: 200, description: 'The conversations', schema: historyList },
  errors: ADMIN_READ_ERRORS,
  handler: async ({ ctx, auth, query }) => ({
    status: 200,
    body: await searchHistory(
      ctx,
      auth.tenantId,
      historyFiltersOf({ ...query, includeTest: query.includeTest === 'true' }),
    ),
    headers: NO_STORE,
  }),
});

export const conversationViewRoute = defineRoute({
  method: 'GET',
  path: `${ADMIN_BASE}/conversations/{id}`,
  operationId: 'adminGetConversation',
  summary: 'A conversation: transcript, variables (untrusted), and each execution’s blocks, step trace and token usage',
  tags: TAGS,
  auth: 'admin',
  params: adminIdParams,
  query: engineConversationQuery,
  response: {
    status: 200,
    description: 'The conversation',
    schema: engineConversation.extend({ executionDetails: engineExecution.array() }),
  },
  errors: [...ADMIN_READ_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, query }) => ({
    status: 200,
    body: await conversationView(ctx, auth.tenantId, params.id, query),
    headers: NO_STORE,
  }),
});
