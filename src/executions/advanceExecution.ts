import type { Kysely } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import type { Block } from '../engine/blocks.js';
import { step } from '../engine/step.js';
import type { EngineInput, ExecutionState, JsonObject } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { loadFlowVersion } from '../flows/flowService.js';
import { engineContext } from './engineContext.js';
import { loadFlowCatalog } from './loadFlowCatalog.js';
import { appendTrace, notifyChanged, planStep } from './persistStep.js';
import { type ExecutionView, executionViewColumns, type WaitView, waitViewOf } from './turnResponse.js';

export interface AdvanceArgs {
  execution: {
    id: string;
    tenant_id: string;
    conversation_id: string;
    version: number;
    state: JsonObject;
    last_seq: number;
    flow_version_id: string;
    wait_id: string | null;
  };
  conversation: { id: string; customer_id: string; variables: JsonObject };
  locale: string | null;
  input: EngineInput;
  /** The status the execution must still have for this step to apply. */
  expectedStatus: 'waiting_input' | 'waiting_time';
  /** A transcript entry for what the user sent, if this step answers the user. */
  userItem?: JsonObject;
  /** Time spent outside the engine (a job's work), counted toward the execution timeout. */
  extraActiveMs?: number;
  now: Date;
}

export interface Advanced {
  row: ExecutionView;
  blocks: Block[];
  wait: WaitView | null;
}

/**
 * Runs one engine step on a waiting execution inside the caller's transaction and writes its outcome, conditional
 * on the version and status it read: a lost race throws 409 and the transaction rolls back, never a double run.
 */
export async function advanceExecution(ctx: AppContext, trx: Kysely<Database>, args: AdvanceArgs): Promise<Advanced> {
  const { execution, now } = args;
  const started = performance.now();
  const flow = await loadFlowVersion(trx, execution.tenant_id, execution.flow_version_id);
  const state = execution.state as unknown as ExecutionState;
  const flows = await loadFlowCatalog(trx, execution.tenant_id, flow, state);
  const ectx = engineContext({
    conversationId: args.conversation.id,
    customerId: args.conversation.customer_id,
    variables: args.conversation.variables,
    locale: args.locale,
    now,
    ...(flows ? { flows } : {}),
  });
  const result = await step(flow, state, args.input, ectx);
  const plan = planStep({
    tenantId: execution.tenant_id,
    conversationId: execution.conversation_id,
    executionId: execution.id,
    lastSeq: execution.last_seq,
    flow,
    result,
    now,
    jobs: ctx.jobs,
  });
  const ended = result.status === 'completed' || result.status === 'failed' || result.status === 'aborted';
  const activeMs = Math.round(performance.now() - started + (args.extraActiveMs ?? 0));
  const row = await trx
    .updateTable('executions')
    .set((eb) => ({
      status: result.status,
      version: execution.version + 1,
      state: json(result.state),
      last_seq: plan.lastSeq,
      wait_id: plan.waitId ?? execution.wait_id,
      wait_expires_at: plan.waitExpiresAt,
      error: result.error ? json(result.error) : null,
      reason: result.reason ?? null,
      trace: appendTrace(result.trace),
      active_ms: eb('active_ms', '+', activeMs),
      updated_at: now,
      ended_at: ended ? now : null,
    }))
    .where('id', '=', execution.id)
    .where('version', '=', execution.version)
    .where('status', '=', args.expectedStatus)
    .returning(executionViewColumns)
    .executeTakeFirst();
  if (!row) throw new AppError('wait_token_invalid', 'This wait was already answered.');
  if (args.userItem) {
    await trx
      .insertInto('chat_items')
      .values({
        tenant_id: execution.tenant_id,
        conversation_id: execution.conversation_id,
        execution_id: execution.id,
        seq: null,
        role: 'user',
        body: json(args.userItem),
        created_at: now,
      })
      .execute();
  }
  await plan.write(trx);
  await notifyChanged(trx, ctx.db.backend, execution.id);
  return { row, blocks: plan.blocks, wait: waitViewOf(result.wait) };
}
