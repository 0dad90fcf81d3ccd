import type { AppContext } from '../app/AppContext.js';
import type { EngineInput, JobRequest, Json } from '../engine/types.js';
import { unstorableString } from '../engine/unstorableString.js';
import type { JobHandler } from '../jobs/JobQueue.js';
import { type LlmPerformer, llmPerformer } from '../llm/performLlm.js';
import type { TokenUsage } from '../llm/tokenUsage.js';
import { TaskInputError, type TaskRegistry } from '../tasks/TaskRegistry.js';
import { advanceExecution } from './advanceExecution.js';
import { JobFailure } from './JobFailure.js';

export { JobFailure };

import type { ContinuePayload } from './persistStep.js';
import { type ExecutionProgress, readExecutionProgress } from './store/readExecutionProgress.js';
import { readWaitingExecution } from './store/readWaitingExecution.js';
import { retryTurn } from './TurnConflict.js';

/** Running time allowed per execution, waits excluded (DESIGN §5: waiting time does not count). */
export const EXECUTION_TIMEOUT_MS = 5 * 60 * 1000;

/** Performs an `http` job through the connection; throws a `JobFailure` for outcomes the flow should see as failed. */
export type HttpPerformer = (
  ctx: AppContext,
  payload: ContinuePayload & { request: Extract<JobRequest, { kind: 'http' }> },
  signal: AbortSignal,
) => Promise<Json>;

/**
 * The worker side of an async node: do the work outside any transaction, then resume the execution with the
 * outcome, conditional on it still waiting for this very job. A job delivered twice, or for an execution that was
 * superseded meanwhile, is a no-op.
 */
export function continueExecution(
  ctx: AppContext,
  deps: { tasks: TaskRegistry; http: HttpPerformer; llm?: LlmPerformer; log?: (message: string) => void },
): JobHandler {
  const llm = deps.llm ?? llmPerformer(deps.log ? { log: deps.log } : {});
  return async (raw, meta) => {
    const payload = raw as unknown as ContinuePayload;
    const current = await readExecutionProgress(ctx.kysely, payload.executionId, payload.tenantId);
    if (current?.status !== 'waiting_time' || current.wait_id !== payload.waitId) return;

    const started = performance.now();
    const abort = new AbortController();
    const budget = Math.max(0, EXECUTION_TIMEOUT_MS - current.active_ms);
    const timer = setTimeout(() => abort.abort(), budget);
    let input: EngineInput;
    // LLM tokens this job spent: added to the turn's usage by the step that applies the outcome.
    let usage: TokenUsage | undefined;
    try {
      const done = await perform(ctx, { ...deps, llm }, payload, current, abort.signal);
      usage = done.usage;
      storableResult(payload.request, done.result);
      input = { kind: 'job_result', nodeId: payload.nodeId, result: done.result };
    } catch (error) {
      const failure = asFailure(
        error,
        abort.signal.aborted,
        payload.request.kind === 'llm' ? 'llm_error' : 'task_error',
      );
      usage = failure.usage ?? (error instanceof JobFailure ? error.usage : undefined);
      // Transient failures go back to the queue while attempts remain; everything else ends the execution.
      if (failure.retryable && meta.attempt < meta.maxAttempts) throw error;
      deps.log?.(
        `execution ${payload.executionId} node ${payload.nodeId}: ${failure.code}: ${failure.detail ?? failure.message}`,
      );
      input = { kind: 'job_failed', nodeId: payload.nodeId, error: { code: failure.code, message: failure.message } };
    } finally {
      clearTimeout(timer);
    }
    const workMs = performance.now() - started;

    // Conditional on the execution still waiting for this very job; a conflicting turn (a supersede, the sweeper)
    // makes it re-read, and then it finds nothing left to do.
    const advanced = await retryTurn(async () => {
      const now = new Date();
      const [execution] = await readWaitingExecution(ctx.kysely, {
        executionId: payload.executionId,
        tenantId: payload.tenantId,
      });
      if (execution?.status !== 'waiting_time' || execution.wait_id !== payload.waitId) return undefined;
      return advanceExecution(ctx, {
        execution,
        conversation: {
          id: execution.conversation_id,
          customer_id: execution.customer_id,
          variables: execution.variables,
        },
        locale: execution.locale ?? null,
        input,
        expectedStatus: 'waiting_time',
        claimWaitId: payload.waitId,
        extraActiveMs: workMs,
        ...(usage ? { usage } : {}),
        now,
      });
    });
    if (advanced) {
      ctx.metrics.executionStatus(advanced.row.status);
      ctx.events.changed(payload.executionId);
      if (advanced.enqueuesJob) ctx.jobs.wake();
    }
  };
}

async function perform(
  ctx: AppContext,
  deps: { tasks: TaskRegistry; http: HttpPerformer; llm: LlmPerformer },
  payload: ContinuePayload,
  progress: ExecutionProgress,
  signal: AbortSignal,
): Promise<{ result: Json; usage?: TokenUsage }> {
  const request = payload.request;
  switch (request.kind) {
    case 'delay':
      return { result: null };
    case 'http':
      return { result: await deps.http(ctx, { ...payload, request }, signal) };
    case 'llm': {
      const job = { flowId: progress.flow_id, conversationId: progress.conversation_id, lastSeq: progress.last_seq };
      const { answer, usage } = await deps.llm(ctx, { ...payload, request }, job, signal);
      return { result: answer as unknown as Json, ...(usage ? { usage } : {}) };
    }
    case 'task': {
      const handler = deps.tasks.get(request.task);
      if (!handler) throw new JobFailure('task_error', `No handler is registered for the task "${request.task}".`);
      return {
        result: await handler(request.input, {
          tenantId: payload.tenantId,
          executionId: payload.executionId,
          nodeId: payload.nodeId,
          idempotencyKey: payload.idempotencyKey,
          signal,
        }),
      };
    }
  }
}

/**
 * A job result must be text the database can store: NUL or a lone surrogate would make the turn's write fail, the job
 * retry (re-sending the merchant call) and the execution hang until the sweeper. The node fails at once instead.
 * Failing, not scrubbing: replacing characters would silently change the merchant's or handler's data (an id, a
 * token) that the flow then compares or sends on, and a response carrying NUL is a fault on that side worth seeing.
 * The visitor's message names the node's source only; the path of the bad value goes to the operator's log.
 */
function storableResult(request: JobRequest, result: Json): void {
  const path = unstorableString(result, 'result');
  if (!path) return;
  const detail = `${path} holds a NUL character or an unpaired UTF-16 surrogate`;
  const what = 'text that cannot be stored (a NUL character or an unpaired UTF-16 surrogate)';
  if (request.kind === 'http') {
    throw new JobFailure('http_error', `The call to "${request.connection}" answered with ${what}.`, false, detail);
  }
  if (request.kind === 'llm') {
    throw new JobFailure('llm_error', `The model behind "${request.connection}" answered with ${what}.`, false, detail);
  }
  const name = request.kind === 'task' ? `The task "${request.task}"` : 'The job';
  throw new JobFailure('task_error', `${name} returned ${what}.`, false, detail);
}

function asFailure(error: unknown, timedOut: boolean, fallback: 'llm_error' | 'task_error' = 'task_error'): JobFailure {
  if (timedOut) return new JobFailure('timeout', 'The execution ran longer than its time budget.');
  if (error instanceof JobFailure) return error;
  // A task module may import TaskInputError from another build, or just mark its error: match by name or flag too.
  if (
    error instanceof TaskInputError ||
    (error instanceof Error &&
      (error.name === 'TaskInputError' || (error as { retryable?: unknown }).retryable === false))
  ) {
    return new JobFailure('task_error', error.message);
  }

  // Unknown errors (a handler threw, the database blipped) are worth another attempt.
  return new JobFailure(fallback, error instanceof Error ? error.message : String(error), true);
}
