import type { AppContext } from '../app/AppContext.js';
import type { Block } from '../engine/blocks.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { blockSeq } from './blockId.js';
import { blocksAfter } from './store/blocksAfter.js';
import { loadExecution } from './store/loadExecution.js';
import { storedWaitView } from './storedWaitView.js';
import type { TurnCaller } from './TurnCaller.js';
import { turnResponse } from './turnResponse.js';

const PING_MS = 15_000;
/** A stream ends after this long even if the execution still waits on async work; clients reconnect with Last-Event-ID. */
const MAX_STREAM_MS = 5 * 60 * 1000;
const SETTLED = new Set(['waiting_input', 'completed', 'failed', 'aborted']);

/** One event of an execution's stream; the route writes them as server-sent events. */
export type StreamEvent =
  | { event: 'block'; id: number; data: Block }
  | { event: 'done'; data: unknown }
  /** LLM text deltas of a block still being written (not stored; their concatenation is the block's text). */
  | { event: 'token'; data: { blockId: string; delta: string } }
  /** Nothing new for a while: the route keeps the connection alive with a comment. */
  | { event: 'ping' };

/**
 * The events of one execution as it runs: a `block` per block (id = its sequence number), `ping` every 15 s while
 * nothing happens, and one `done` with the same object a JSON reply or poll carries once the execution settles
 * (waits for input, or ends). Ends when the signal aborts, after `done`, or after five minutes.
 */
export async function* streamExecution(
  ctx: AppContext,
  session: TurnCaller,
  args: {
    executionId: string;
    /** Blocks with a sequence number above this are sent. */
    afterSeq: number;
    /** Blocks already produced by the request that opened the stream (a turn), sent first. */
    initial?: ChatTurnResponse;
    signal: AbortSignal;
  },
): AsyncGenerator<StreamEvent> {
  const deadline = Date.now() + MAX_STREAM_MS;
  const sent: Block[] = [];
  let lastSeq = args.afterSeq;
  function* emit(blocks: Block[]): Generator<StreamEvent> {
    for (const block of blocks) {
      const seq = blockSeq(block.id);
      if (seq <= lastSeq) continue;
      lastSeq = seq;
      sent.push(block);
      yield { event: 'block', id: seq, data: block };
    }
  }
  const watcher = ctx.events.watch(args.executionId);
  const tokens: { blockId: string; delta: string }[] = [];
  let interrupt: AbortController | undefined;
  const unsubscribe = ctx.events.onTokens(args.executionId, (token) => {
    tokens.push(token);
    interrupt?.abort();
  });
  function* drainTokens(): Generator<StreamEvent> {
    while (tokens.length > 0) {
      const token = tokens.shift()!;
      // A block already sent is complete: late deltas of it are dropped.
      if (blockSeq(token.blockId) > lastSeq) yield { event: 'token', data: token };
    }
  }
  try {
    if (args.initial) yield* emit(args.initial.blocks);
    while (!args.signal.aborted && Date.now() < deadline) {
      yield* drainTokens();
      const execution = await loadExecution(ctx.kysely, args.executionId, session);
      if (!execution) return;
      if (execution.last_seq > lastSeq) yield* emit(await blocksAfter(ctx.kysely, execution.id, lastSeq));
      if (SETTLED.has(execution.status)) {
        const done = turnResponse(ctx.secrets, execution, sent, storedWaitView(execution));
        if (args.initial) yield { event: 'done', data: done };
        else {
          const { conversationId: _omit, ...poll } = done;
          yield { event: 'done', data: poll };
        }
        return;
      }
      // Wait for a change; deltas arriving meanwhile go out at once, without re-reading the execution.
      for (;;) {
        yield* drainTokens();
        interrupt = new AbortController();
        const changed = await watcher.wait(
          Math.min(PING_MS, deadline - Date.now()),
          AbortSignal.any([args.signal, interrupt.signal]),
        );
        interrupt = undefined;
        if (changed || args.signal.aborted || Date.now() >= deadline) break;
        if (tokens.length === 0) {
          yield { event: 'ping' };
          break;
        }
      }
    }
  } finally {
    unsubscribe();
    watcher.close();
  }
}
