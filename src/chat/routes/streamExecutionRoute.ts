import { z } from 'zod';
import { AppError } from '../../errors/AppError.js';
import { decodeCursor } from '../../executions/cursor.js';
import { loadExecution } from '../../executions/store/loadExecution.js';
import { streamExecution } from '../../executions/streamExecution.js';
import { defineRoute } from '../../http/defineRoute.js';
import { writeEventStream } from '../../http/writeEventStream.js';
import { pollQuery } from '../../wire/chatSchemas.js';
import { executionIdParams } from './pollExecutionRoute.js';
import { CHAT_BASE, SESSION_ROUTE_ERRORS } from './sessionRouteErrors.js';

export const streamExecutionRoute = defineRoute({
  method: 'GET',
  path: `${CHAT_BASE}/executions/{id}/stream`,
  operationId: 'streamExecution',
  summary: 'Stream an execution (server-sent events)',
  description:
    "Events: `block` (id = block sequence number), `token` ({blockId, delta}: an LLM answer's text as it is written, before its block; not stored, no id), `done` (the poll object, once the execution waits for input or ends), `error` (the error envelope); a `: ping` comment every 15 s. Resume with Last-Event-ID. POST /chat/messages with `Accept: text/event-stream` streams a turn the same way, its `done` carrying the turn reply.",
  tags: ['Chat'],
  auth: 'session',
  cors: true,
  params: executionIdParams,
  query: pollQuery,
  headers: [
    { name: 'Last-Event-ID', description: 'The last block sequence number received; the stream continues after it.' },
  ],
  response: { status: 200, description: 'An event stream', contentType: 'text/event-stream', schema: z.string() },
  errors: [...SESSION_ROUTE_ERRORS, 'execution_not_found', 'rate_limited'],
  handler: async ({ ctx, request, reply, auth, params, query, signal }) => {
    const session = await auth.session();
    ctx.streams.acquire(session.id, reply);
    if (!(await loadExecution(ctx.kysely, params.id, session))) {
      throw new AppError('execution_not_found', 'No such execution in this conversation.');
    }
    const lastEventId = request.headers['last-event-id'];
    const afterSeq =
      typeof lastEventId === 'string' && /^\d{1,9}$/.test(lastEventId)
        ? Number(lastEventId)
        : query.after
          ? decodeCursor(query.after).seq
          : 0;
    await writeEventStream(
      reply,
      streamExecution(ctx, session, { executionId: params.id, afterSeq, signal: signal() }),
      {
        closing: () => ctx.shutdown.signal.aborted,
      },
    );
    return undefined;
  },
});
