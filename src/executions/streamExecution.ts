import type { FastifyReply } from 'fastify';
import type { AppContext } from '../app/AppContext.js';
import type { ChatSession } from '../chat/authenticateSession.js';
import type { Block } from '../engine/blocks.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { blocksAfter } from './blocksAfter.js';
import { storedWaitView } from './storedWaitView.js';
import { storedExecutionColumns, turnResponse } from './turnResponse.js';

const PING_MS = 15_000;
/** A stream ends after this long even if the execution still waits on async work; clients reconnect with Last-Event-ID. */
const MAX_STREAM_MS = 5 * 60 * 1000;
const SETTLED = new Set(['waiting_input', 'completed', 'failed', 'aborted']);

/**
 * Server-sent events for one execution: a `block` event per block (id = its sequence number), `: ping` comments
 * every 15 s, and one `done` event with the same object a JSON reply or poll carries once the execution settles
 * (waits for input, or ends). Errors found before the stream starts were already answered as plain JSON.
 */
export async function streamExecution(
  ctx: AppContext,
  session: ChatSession,
  reply: FastifyReply,
  args: {
    executionId: string;
    /** Blocks with a sequence number above this are sent. */
    afterSeq: number;
    /** Blocks already produced by the request that opened the stream (a turn), sent first. */
    initial?: ChatTurnResponse;
    signal: AbortSignal;
  },
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (event: string, data: unknown, id?: number) => {
    if (!raw.writableEnded)
      raw.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const deadline = Date.now() + MAX_STREAM_MS;
  const sent: Block[] = [];
  let lastSeq = args.afterSeq;
  const emit = (blocks: Block[]) => {
    for (const block of blocks) {
      const seq = Number(block.id.slice(block.id.lastIndexOf('.') + 1));
      if (seq <= lastSeq) continue;
      lastSeq = seq;
      sent.push(block);
      send('block', block, seq);
    }
  };
  const watcher = ctx.events.watch(args.executionId);
  try {
    if (args.initial) emit(args.initial.blocks);
    while (!args.signal.aborted && !raw.destroyed && Date.now() < deadline) {
      const execution = await ctx.kysely
        .selectFrom('executions')
        .select(storedExecutionColumns)
        .where('id', '=', args.executionId)
        .where('tenant_id', '=', session.tenantId)
        .where('conversation_id', '=', session.conversationId)
        .executeTakeFirst();
      if (!execution) break;
      if (execution.last_seq > lastSeq) emit(await blocksAfter(ctx.kysely, execution.id, lastSeq));
      if (SETTLED.has(execution.status)) {
        const done = turnResponse(ctx.secrets, execution, sent, storedWaitView(execution));
        if (args.initial) send('done', done);
        else {
          const { conversationId: _omit, ...poll } = done;
          send('done', poll);
        }
        break;
      }
      const changed = await watcher.wait(Math.min(PING_MS, deadline - Date.now()), args.signal);

      if (!changed && !raw.writableEnded) raw.write(': ping\n\n');
    }
  } catch (error) {
    send('error', {
      error: {
        code: 'internal_error',
        message: 'The stream failed; poll the execution.',
        status: 500,
        retryable: true,
        requestId: reply.request.id,
      },
    });
    reply.log.error({ err: error }, 'stream failed');
  } finally {
    watcher.close();
    // Shutting down: close the connection after this response so the server's close is not held by keep-alive.
    if (ctx.shutdown.signal.aborted) raw.shouldKeepAlive = false;
    raw.end();
  }
}
