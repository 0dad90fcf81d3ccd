import { z } from 'zod';
import { searchHistory } from '../../history/conversationHistory.js';
import { historyFiltersOf } from '../../history/historyFiltersOf.js';
import { historyList, historyQuery } from '../../wire/adminSchemas.js';
import { defineMcpTool } from '../defineMcpTool.js';

const q = historyQuery.shape;

export const conversationsSearchTool = defineMcpTool({
  name: 'conversations_search',
  title: 'Search conversations',
  description:
    "Searches the conversation history, newest first: by customer, by the intent or status of any of its executions, and by when it started. Pass nextCursor back as cursor for the next page. The admin panel's test conversations are left out unless includeTest is true.",
  input: z.object({
    customerId: q.customerId,
    intent: q.intent,
    status: q.status,
    from: q.from,
    to: q.to,
    includeTest: z.boolean().optional().describe('Include the test pane’s conversations (default false).'),
    cursor: q.cursor.describe("The previous page's nextCursor."),
    limit: z.number().int().min(1).max(100).optional().describe('Page size, 1–100 (default 50).'),
  }),
  output: historyList,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run: async ({ ctx, auth }, args) => searchHistory(ctx, auth.tenantId, historyFiltersOf(args)),
});
