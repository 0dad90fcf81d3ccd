import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';
import type { ErrorCode } from '../errors/catalog.js';
import { decodeCursor } from '../executions/cursor.js';
import { pollExecution } from '../executions/pollExecution.js';
import { resumeExecution } from '../executions/resumeExecution.js';
import { streamExecution } from '../executions/streamExecution.js';
import { triggerExecution } from '../executions/triggerExecution.js';
import { assertOrigin, originOf, setCorsHeaders } from '../http/cors.js';
import { withIdempotency } from '../http/idempotency.js';
import { parse } from '../http/parse.js';
import type { RouteDoc } from '../http/routeDoc.js';
import { normalizeOrigin } from '../keys/normalizeOrigin.js';
import { findActiveKey } from '../keys/widgetKeyService.js';
import {
  type ChatTurnResponse,
  chatTurnResponse,
  executionPollResponse,
  historyQuery,
  historyResponse,
  messageRequest,
  openSessionRequest,
  openSessionResponse,
  pollQuery,
} from '../wire/chatSchemas.js';
import { authenticateSession } from './authenticateSession.js';
import { conversationHistory } from './conversationHistory.js';
import { openSession } from './openSession.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A 401 must be readable by the widget (so it can open a new session), but the key is unknown at that point:
 * such errors carry CORS headers when the origin is one some active key allows — the preflight's own rule.
 */
async function readable<T>(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const raw = originOf(request);
    const origin = raw ? normalizeOrigin(raw) : undefined;
    if (
      error instanceof AppError &&
      error.status === 401 &&
      raw &&
      origin &&
      (await ctx.origins.preflightAllows(origin, undefined))
    ) {
      setCorsHeaders(reply, raw);
    }
    throw error;
  }
}
const BASE = '/api/public/v1/chat';

/**
 * Routes stay thin and keep DESIGN §4's precedence: malformed JSON (parser) → auth → origin → shape → scope → 404 →
 * 409 → 422, the last three decided by the service.
 */
function wantsEventStream(request: FastifyRequest): boolean {
  return String(request.headers.accept ?? '').includes('text/event-stream');
}

/**
 * Aborts when the client goes away (the response's socket closes; the request's own `close` fires as soon as its
 * body is read) or the server shuts down, so long polls and streams never outlive their reader or the process.
 */
function closeSignal(ctx: AppContext, reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  if (reply.raw.destroyed || reply.raw.socket?.destroyed) abort.abort();
  else reply.raw.once('close', () => abort.abort());
  return AbortSignal.any([abort.signal, ctx.shutdown.signal]);
}

export function chatRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(`${BASE}/sessions`, async (request, reply) => {
    const body = request.body as { publicKey?: unknown } | null | undefined;
    const publicKey =
      typeof body === 'object' && body !== null && typeof body.publicKey === 'string' ? body.publicKey : undefined;
    const key = await readable(ctx, request, reply, async () => {
      const found = publicKey ? await findActiveKey(ctx.kysely, publicKey) : undefined;
      if (!found) throw new AppError('invalid_public_key', 'The public key is unknown or revoked.');
      return found;
    });
    const origin = assertOrigin(request, reply, key);
    const result = await withIdempotency(
      ctx,
      request,
      reply,
      { tenantId: key.tenant_id, caller: `pk:${key.id}`, route: 'chat.sessions' },
      async () => {
        const input = parse(openSessionRequest, request.body, 'body');
        return { status: 201, body: await openSession(ctx, key, input, origin) };
      },
    );
    return reply.code(result.status).send(result.body);
  });

  app.post(`${BASE}/messages`, async (request, reply) => {
    const session = await readable(ctx, request, reply, () => authenticateSession(ctx, request.headers.authorization));
    assertOrigin(request, reply, session.key);
    const scope = { tenantId: session.tenantId, caller: `session:${session.id}`, route: 'chat.messages' };
    const result = await withIdempotency(ctx, request, reply, scope, async () => {
      const input = parse(messageRequest, request.body, 'body');
      if ((input.intentName === undefined) === (input.waitToken === undefined)) {
        throw new AppError(
          'invalid_request',
          'Send either intentName (to trigger) or waitToken + executionId (to resume), not both or neither.',
        );
      }
      if (input.intentName !== undefined) {
        const turn = await triggerExecution(ctx, session, {
          intentName: input.intentName,
          ...(input.text !== undefined ? { text: input.text } : {}),
          ...(input.variables !== undefined ? { variables: input.variables } : {}),
          ...(input.supersede !== undefined ? { supersede: input.supersede } : {}),
        });
        return { status: 200, body: turn };
      }
      if (input.executionId === undefined)
        throw new AppError('invalid_request', 'A resume needs executionId with its waitToken.');
      const turn = await resumeExecution(ctx, session, {
        executionId: input.executionId,
        waitToken: input.waitToken!,
        values: input.values ?? {},
        ...(input.variables !== undefined ? { variables: input.variables } : {}),
      });
      return { status: 200, body: turn };
    });
    if (wantsEventStream(request) && result.status === 200) {
      const turn = result.body as ChatTurnResponse;
      const seqs = turn.blocks.map((b) => Number(b.id.slice(b.id.lastIndexOf('.') + 1)));
      const afterSeq = seqs.length > 0 ? Math.min(...seqs) - 1 : decodeCursor(turn.cursor).seq;
      return streamExecution(ctx, session, reply, {
        executionId: turn.executionId,
        afterSeq,
        initial: turn,
        signal: closeSignal(ctx, reply),
      });
    }
    return reply.code(result.status).send(result.body);
  });

  app.get<{ Params: { id: string } }>(`${BASE}/executions/:id/stream`, async (request, reply) => {
    const session = await readable(ctx, request, reply, () => authenticateSession(ctx, request.headers.authorization));
    assertOrigin(request, reply, session.key);
    const query = parse(pollQuery, request.query, 'query');
    const id = request.params.id.toLowerCase();
    if (!UUID.test(id)) throw new AppError('execution_not_found', 'No such execution in this conversation.');
    const exists = await ctx.kysely
      .selectFrom('executions')
      .select('id')
      .where('id', '=', id)
      .where('tenant_id', '=', session.tenantId)
      .where('conversation_id', '=', session.conversationId)
      .executeTakeFirst();
    if (!exists) throw new AppError('execution_not_found', 'No such execution in this conversation.');
    const lastEventId = request.headers['last-event-id'];
    const afterSeq =
      typeof lastEventId === 'string' && /^\d{1,9}$/.test(lastEventId)
        ? Number(lastEventId)
        : query.after
          ? decodeCursor(query.after).seq
          : 0;
    return streamExecution(ctx, session, reply, { executionId: id, afterSeq, signal: closeSignal(ctx, reply) });
  });

  app.get<{ Params: { id: string } }>(`${BASE}/executions/:id`, async (request, reply) => {
    const session = await readable(ctx, request, reply, () => authenticateSession(ctx, request.headers.authorization));
    assertOrigin(request, reply, session.key);
    const query = parse(pollQuery, request.query, 'query');
    if (!UUID.test(request.params.id))
      throw new AppError('execution_not_found', 'No such execution in this conversation.');
    const response = await pollExecution(ctx, session, request.params.id.toLowerCase(), {
      ...(query.after !== undefined ? { after: query.after } : {}),
      ...(query.waitSeconds !== undefined ? { waitSeconds: query.waitSeconds } : {}),
      signal: closeSignal(ctx, reply),
    });
    if (ctx.shutdown.signal.aborted) reply.header('connection', 'close');
    return reply.header('cache-control', 'no-store').send(response);
  });

  app.get(`${BASE}/history`, async (request, reply) => {
    const session = await readable(ctx, request, reply, () => authenticateSession(ctx, request.headers.authorization));
    assertOrigin(request, reply, session.key);
    const query = parse(historyQuery, request.query, 'query');
    return reply.header('cache-control', 'no-store').send(await conversationHistory(ctx, session, query));
  });
}

const idempotencyHeader = {
  name: 'Idempotency-Key',
  description: 'Optional. The same key with the same body within 24 h replays the stored response.',
};
const originHeader = { name: 'Origin', description: "Must be one of the widget key's allowedOrigins." };

/** What any route authenticated by a session token can answer before its own checks. */
const SESSION_ROUTE_ERRORS: ErrorCode[] = [
  'invalid_request',
  'invalid_session_token',
  'session_expired',
  'invalid_public_key',
  'origin_not_allowed',
];

export const chatRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: `${BASE}/sessions`,
    operationId: 'openSession',
    summary: 'Open a chat session',
    description:
      'Exchanges a public widget key for a session token and the intents the widget may trigger (allowed ∩ published). Pass conversationId + conversationToken to continue an earlier conversation.',
    tags: ['Chat'],
    security: 'publicKey',
    body: openSessionRequest,
    headers: [originHeader, idempotencyHeader],
    responses: { 201: { description: 'Session opened', schema: openSessionResponse } },
    errors: [
      'invalid_request',
      'invalid_public_key',
      'origin_not_allowed',
      'not_found',
      'validation_failed',
      'idempotency_key_reused',
      'idempotency_in_progress',
      'payload_too_large',
      'unsupported_media_type',
    ],
  },
  {
    method: 'post',
    path: `${BASE}/messages`,
    operationId: 'sendMessage',
    summary: 'Trigger an intent or resume a waiting execution',
    description:
      'Trigger: {intentName, text?, variables?, supersede?}. Resume: {waitToken, executionId, values, variables?}. Runs the flow until it waits or ends and returns the blocks to render.',
    tags: ['Chat'],
    security: 'session',
    body: messageRequest,
    headers: [originHeader, idempotencyHeader],
    responses: { 200: { description: 'The turn ran', schema: chatTurnResponse } },
    errors: [
      'invalid_request',
      'invalid_session_token',
      'session_expired',
      'invalid_public_key',
      'origin_not_allowed',
      'intent_not_allowed',
      'intent_not_matched',
      'execution_not_found',
      'wait_token_invalid',
      'execution_not_waiting',
      'conversation_busy',
      'validation_failed',
      'idempotency_key_reused',
      'idempotency_in_progress',
      'payload_too_large',
      'unsupported_media_type',
    ],
  },
  {
    method: 'get',
    path: `${BASE}/executions/{id}`,
    operationId: 'pollExecution',
    summary: 'Poll an execution',
    description:
      'The execution state and the blocks after the `after` cursor. With waitSeconds (0–25) and after, a long poll that returns as soon as something is new.',
    tags: ['Chat'],
    security: 'session',
    params: z.object({ id: z.uuid() }),
    query: pollQuery,
    responses: { 200: { description: 'Execution state', schema: executionPollResponse } },
    errors: [...SESSION_ROUTE_ERRORS, 'execution_not_found'],
  },
  {
    method: 'get',
    path: `${BASE}/executions/{id}/stream`,
    operationId: 'streamExecution',
    summary: 'Stream an execution (server-sent events)',
    description:
      'Events: `block` (id = block sequence number), `done` (the poll object, once the execution waits for input or ends), `error` (the error envelope); a `: ping` comment every 15 s. Resume with Last-Event-ID. POST /chat/messages with `Accept: text/event-stream` streams a turn the same way, its `done` carrying the turn reply.',
    tags: ['Chat'],
    security: 'session',
    params: z.object({ id: z.uuid() }),
    query: pollQuery,
    headers: [
      { name: 'Last-Event-ID', description: 'The last block sequence number received; the stream continues after it.' },
    ],
    responses: { 200: { description: 'An event stream', contentType: 'text/event-stream', schema: z.string() } },
    errors: [...SESSION_ROUTE_ERRORS, 'execution_not_found'],
  },
  {
    method: 'get',
    path: `${BASE}/history`,
    operationId: 'conversationHistory',
    summary: "The session's conversation transcript",
    description: 'Oldest first, paginated with cursor/limit, plus `pending` when an execution still waits.',
    tags: ['Chat'],
    security: 'session',
    query: historyQuery,
    responses: { 200: { description: 'Transcript', schema: historyResponse } },
    errors: SESSION_ROUTE_ERRORS,
  },
];
