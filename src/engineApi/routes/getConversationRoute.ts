import { z } from 'zod';
import { defineRoute } from '../../http/defineRoute.js';
import { engineConversation, engineConversationQuery } from '../../wire/engineSchemas.js';
import { engineConversation as readEngineConversation } from '../engineService.js';
import { ENGINE_BASE, SECRET_KEY_ROUTE_ERRORS } from './engineRouteErrors.js';

/** Not a UUID → the same 404 as an unknown id. */
const conversationIdParams = z.object({
  id: z
    .string()
    .transform((id) => id.toLowerCase())
    .pipe(z.uuid())
    .catch('00000000-0000-0000-0000-000000000000'),
});

export const getConversationRoute = defineRoute({
  method: 'GET',
  path: `${ENGINE_BASE}/conversations/{id}`,
  operationId: 'engineGetConversation',
  summary: 'A conversation: transcript, variables, executions',
  description:
    'The transcript (oldest first, `?cursor=&limit=`), the variables (as `{untrusted: true, values}`: widgets set them) and the executions (newest first, `?executionsCursor=&executionsLimit=`).',
  tags: ['Engine'],
  auth: 'secretKey',
  scope: 'engine:read',
  params: conversationIdParams,
  query: engineConversationQuery,
  response: { status: 200, description: 'The conversation', schema: engineConversation },
  errors: [...SECRET_KEY_ROUTE_ERRORS, 'not_found'],
  handler: async ({ ctx, auth, params, query }) => ({
    status: 200,
    body: await readEngineConversation(ctx, auth, params.id, query),
    headers: { 'cache-control': 'no-store' },
  }),
});
