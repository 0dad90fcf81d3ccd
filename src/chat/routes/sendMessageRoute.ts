import { AppError } from '../../errors/AppError.js';
import { blockSeq } from '../../executions/blockId.js';
import { decodeCursor } from '../../executions/cursor.js';
import { resumeExecution } from '../../executions/resumeExecution.js';
import { streamExecution } from '../../executions/streamExecution.js';
import { triggerExecution } from '../../executions/triggerExecution.js';
import { replayTurn } from '../../executions/turnReceipt.js';
import { defineRoute } from '../../http/defineRoute.js';
import { writeEventStream } from '../../http/writeEventStream.js';
import { type ChatTurnResponse, chatTurnResponse, messageRequest } from '../../wire/chatSchemas.js';
import { CHAT_BASE, idempotencyHeader, originHeader } from './sessionRouteErrors.js';

export const sendMessageRoute = defineRoute({
  method: 'POST',
  path: `${CHAT_BASE}/messages`,
  operationId: 'sendMessage',
  summary: 'Trigger an intent or resume a waiting execution',
  description:
    'Trigger: {intentName, text?, variables?, supersede?}. Resume: {waitToken, executionId, values, variables?}. Runs the flow until it waits or ends and returns the blocks to render. With `Accept: text/event-stream` the turn is streamed (see streamExecution).',
  tags: ['Chat'],
  auth: 'session',
  limits: { rate: ['messages_per_session', 'messages_per_ip'] },
  cors: true,
  // A resume verifies the session with the execution it reads: one round trip when neither is in memory.
  sessionRow: 'service',
  body: messageRequest,
  headers: [originHeader, idempotencyHeader],
  response: { status: 200, description: 'The turn ran', schema: chatTurnResponse },
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
    'rate_limited',
  ],
  idempotent: { replay: (ctx, stored) => replayTurn(ctx.secrets, stored) },
  handler: async ({ ctx, request, reply, auth, body, receipt }) => {
    // A streamed turn holds a stream slot: refused before the turn runs, not after its effect.
    if (String(request.headers.accept ?? '').includes('text/event-stream')) ctx.streams.acquire(auth.claims.sid, reply);
    // Shape errors, after 401/403: a session row not read yet (left to the service) is read first.
    const shapeError = async (message: string) => {
      await auth.session();
      return new AppError('invalid_request', message);
    };
    if ((body.intentName === undefined) === (body.waitToken === undefined)) {
      throw await shapeError(
        'Send either intentName (to trigger) or waitToken + executionId (to resume), not both or neither.',
      );
    }
    let turn: ChatTurnResponse;
    if (body.intentName !== undefined) {
      turn = await triggerExecution(
        ctx,
        await auth.session(),
        {
          intentName: body.intentName,
          ...(body.text !== undefined ? { text: body.text } : {}),
          ...(body.variables !== undefined ? { variables: body.variables } : {}),
          ...(body.supersede !== undefined ? { supersede: body.supersede } : {}),
        },
        receipt,
      );
    } else {
      if (body.executionId === undefined) throw await shapeError('A resume needs executionId with its waitToken.');
      turn = await resumeExecution(
        ctx,
        auth,
        {
          executionId: body.executionId,
          waitToken: body.waitToken!,
          values: body.values ?? {},
          ...(body.variables !== undefined ? { variables: body.variables } : {}),
        },
        receipt,
      );
    }
    // Every turn verified its session (from memory, its own read or the service's): the key is known by now.
    const verified = auth.known;
    if (verified) ctx.meter.count(verified.tenantId, verified.key.id, 'message');
    return { status: 200, body: turn };
  },
  // A turn asked for as a stream — fresh or replayed — streams its blocks, then follows the execution.
  respond: async ({ ctx, request, reply, auth, signal }, result) => {
    if (result.status !== 200 || !String(request.headers.accept ?? '').includes('text/event-stream')) return result;
    const turn = result.body as ChatTurnResponse;
    const seqs = turn.blocks.map((b) => blockSeq(b.id));
    const afterSeq = seqs.length > 0 ? Math.min(...seqs) - 1 : decodeCursor(turn.cursor).seq;
    const session = await auth.session();
    await writeEventStream(
      reply,
      streamExecution(ctx, session, { executionId: turn.executionId, afterSeq, initial: turn, signal: signal() }),
      { closing: () => ctx.shutdown.signal.aborted },
    );
    return undefined;
  },
});
