import type { AppContext } from '../app/AppContext.js';
import { AppError } from '../errors/AppError.js';
import type { ExecutionPollResponse } from '../wire/chatSchemas.js';
import { type Cursor, decodeCursor } from './cursor.js';
import { blocksAfter } from './store/blocksAfter.js';
import { loadExecution } from './store/loadExecution.js';
import { storedWaitView } from './storedWaitView.js';
import type { TurnCaller } from './TurnCaller.js';
import { type StoredExecution, turnResponse } from './turnResponse.js';

/** A long poll re-reads at least this often, in case a change was made by a process that could not notify us. */
const RECHECK_MS = 1000;

/**
 * Answers with the execution's state and the blocks after the cursor. With `waitSeconds` and an `after` cursor it
 * holds the request until something is new (a block or a status change) or the time is up.
 */
export async function pollExecution(
  ctx: AppContext,
  session: TurnCaller,
  executionId: string,
  options: { after?: string; waitSeconds?: number; signal?: AbortSignal },
): Promise<ExecutionPollResponse> {
  const after = options.after ? decodeCursor(options.after) : undefined;
  const deadline = Date.now() + (options.waitSeconds ?? 0) * 1000;
  const watcher = after && deadline > Date.now() ? ctx.events.watch(executionId) : undefined;
  let execution: StoredExecution;
  try {
    execution = await mustLoad(ctx, session, executionId);
    while (watcher && after && !isNewer(execution, after) && Date.now() < deadline && !options.signal?.aborted) {
      await watcher.wait(Math.min(RECHECK_MS, deadline - Date.now()), options.signal);
      execution = await mustLoad(ctx, session, executionId);
    }
  } finally {
    watcher?.close();
  }

  const blocks =
    execution.last_seq > (after?.seq ?? 0) ? await blocksAfter(ctx.kysely, execution.id, after?.seq ?? 0) : [];
  const { conversationId: _omit, ...response } = turnResponse(
    ctx.secrets,
    execution,
    blocks,
    storedWaitView(execution),
  );
  return response;
}

function isNewer(execution: StoredExecution, after: Cursor): boolean {
  return execution.last_seq > after.seq || execution.version > after.version;
}

async function mustLoad(ctx: AppContext, session: TurnCaller, executionId: string): Promise<StoredExecution> {
  const execution = await loadExecution(ctx.kysely, executionId, session);
  if (!execution) throw new AppError('execution_not_found', 'No such execution in this conversation.');
  return execution;
}
