import { z } from 'zod';
import { pollExecution } from '../../executions/pollExecution.js';
import { defineRoute } from '../../http/defineRoute.js';
import { executionPollResponse, pollQuery } from '../../wire/chatSchemas.js';
import { CHAT_BASE, SESSION_ROUTE_ERRORS } from './sessionRouteErrors.js';

/** Not a UUID → the same 404 as an unknown id: the id says nothing about which executions exist. */
export const executionIdParams = z.object({
  id: z
    .string()
    .transform((id) => id.toLowerCase())
    .pipe(z.uuid())
    .catch('00000000-0000-0000-0000-000000000000'),
});

export const pollExecutionRoute = defineRoute({
  method: 'GET',
  path: `${CHAT_BASE}/executions/{id}`,
  operationId: 'pollExecution',
  summary: 'Poll an execution',
  description:
    'The execution state and the blocks after the `after` cursor. With waitSeconds (0–25) and after, a long poll that returns as soon as something is new.',
  tags: ['Chat'],
  auth: 'session',
  cors: true,
  params: executionIdParams,
  query: pollQuery,
  response: { status: 200, description: 'Execution state', schema: executionPollResponse },
  errors: [...SESSION_ROUTE_ERRORS, 'execution_not_found', 'rate_limited'],
  handler: async ({ ctx, auth, params, query, reply, signal }) => {
    const session = await auth.session();
    // Only a long poll holds the connection; a plain poll answers at once.
    if (query.waitSeconds) ctx.streams.acquire(session.id, reply);
    const response = await pollExecution(ctx, session, params.id, {
      ...(query.after !== undefined ? { after: query.after } : {}),
      ...(query.waitSeconds !== undefined ? { waitSeconds: query.waitSeconds } : {}),
      signal: signal(),
    });
    if (ctx.shutdown.signal.aborted) reply.header('connection', 'close');
    return { status: 200, body: response, headers: { 'cache-control': 'no-store' } };
  },
});
