import type { AppContext } from '../app/AppContext.js';
import type { TranscriptItem } from '../db/types.js';
import type { Block } from '../engine/blocks.js';
import { step } from '../engine/step.js';
import type { EngineInput, ExecutionState, ExecutionStatus, Json, JsonObject } from '../engine/types.js';
import { loadFlowVersion } from '../flows/flowService.js';
import type { Receipt } from '../idempotency/Receipt.js';
import { addUsage, type TokenUsage, tokenUsageOf } from '../llm/tokenUsage.js';
import { executionEvents, wantsExecutionEvents } from '../webhooks/emitExecutionChanges.js';
import { webhookEventsCte } from '../webhooks/emitWebhookEvent.js';
import { engineContext } from './engineContext.js';
import { loadFlowCatalog } from './loadFlowCatalog.js';
import { planStep, type WaitRow } from './persistStep.js';
import { storableStep } from './storableStep.js';
import { commitTurn, updateTurn } from './store/writeTurn.js';
import { turnReceipt } from './turnReceipt.js';
import { type ExecutionView, expectedRow, turnResponse, type WaitView, waitViewOf } from './turnResponse.js';

export interface AdvanceArgs {
  execution: {
    id: string;
    tenant_id: string;
    conversation_id: string;
    version: number;
    state: JsonObject;
    last_seq: number;
    flow_version_id: string;
    /** The turn's LLM usage so far (worker steps read it; a trigger or resume starts a new turn). */
    turn_usage?: Json | null;
  };
  conversation: { id: string; customer_id: string; variables: JsonObject };
  /** Conversation variables this turn changes: written only if the row still holds `read`. */
  variables?: { read: JsonObject; write: JsonObject };
  /** Variables the step ran with, unchanged, that the row must still hold (they came from the `ConversationCache`). */
  expectVariables?: JsonObject;
  locale: string | null;
  input: EngineInput;
  /** The status the execution must still have for this step to apply. */
  expectedStatus: 'waiting_input' | 'waiting_time';
  /** A transcript entry for what the user sent, if this step answers the user. */
  userItem?: JsonObject;
  /** The open wait this step answers: the update applies only while it is still the execution's, and consumes it. */
  claimWaitId?: string;
  /** Time spent outside the engine (a job's work), counted toward the execution timeout. */
  extraActiveMs?: number;
  /** LLM tokens the job this step answers spent: added to the turn's usage (`tokenUsage`). */
  usage?: TokenUsage;
  /** The request's idempotency receipt, written by this step's own statement. */
  receipt?: Receipt | undefined;
  now: Date;
}

export interface Advanced {
  row: ExecutionView;
  /**
   * The turn's LLM token usage after this step (sums over the turn; undefined when no LLM ran in it): what the reply,
   * polls, streams and the `chat.execution.updated` webhook carry. The same as `turnResponse(…).tokenUsage`.
   */
  tokenUsage: TokenUsage | undefined;
  blocks: Block[];
  wait: WaitView | null;
  /** The step enqueued a job: wake the worker. */
  enqueuesJob: boolean;
  /** The execution's state and the wait this step opened, as written (for the `ConversationCache`). */
  state: JsonObject;
  newWait: WaitRow | null;
}

/**
 * A job's outcome continues the turn that started the job: its usage adds to the turn's. A trigger or a resume starts
 * a new turn, with no usage yet (an `llm` node always runs as a job, so none can run inside the request).
 */
function turnUsage(args: AdvanceArgs): TokenUsage | null {
  if (args.input.kind !== 'job_result' && args.input.kind !== 'job_failed') return null;
  const before = tokenUsageOf(args.execution.turn_usage) ?? null;
  return args.usage ? addUsage(before, args.usage) : before;
}

/** The turn's usage rides its last block in the transcript (the history) once the turn settles. */
function withTurnUsage(items: TranscriptItem[], status: string, usage: TokenUsage | null): TranscriptItem[] {
  const last = items.at(-1);
  if (!usage || status === 'waiting_time' || last?.role !== 'bot') return items;
  return [...items.slice(0, -1), { ...last, tokenUsage: usage as unknown as JsonObject }];
}

/**
 * Runs one engine step on a waiting execution and writes its outcome, conditional on the version and status it read
 * (and on the wait it answers): a lost race throws `TurnConflict` and writes nothing, never a double run.
 */
export async function advanceExecution(ctx: AppContext, args: AdvanceArgs): Promise<Advanced> {
  const { execution, now } = args;
  const started = performance.now();
  const flow = await loadFlowVersion(ctx, execution.tenant_id, execution.flow_version_id);
  const state = execution.state as unknown as ExecutionState;
  const flows = await loadFlowCatalog(ctx, execution.tenant_id, flow, state);
  const ectx = engineContext({
    conversationId: args.conversation.id,
    customerId: args.conversation.customer_id,
    variables: args.conversation.variables,
    locale: args.locale,
    now,
    ...(flows ? { flows } : {}),
  });
  const result = storableStep(await step(flow, state, args.input, ectx));
  const plan = planStep({
    tenantId: execution.tenant_id,
    conversationId: execution.conversation_id,
    executionId: execution.id,
    lastSeq: execution.last_seq,
    flow,
    result,
    now,
    jobs: ctx.jobs,
    webhooks: ctx.webhooks,
  });
  const outcome = plan.outcome(performance.now() - started + (args.extraActiveMs ?? 0));
  const usage = turnUsage(args);
  outcome.turn_usage = usage as unknown as Json;
  const wait = waitViewOf(result.wait);
  const expected = expectedRow(execution.id, execution.conversation_id, execution.version + 1, outcome);
  const statement = updateTurn({
    tenantId: execution.tenant_id,
    conversationId: execution.conversation_id,
    items: withTurnUsage(plan.items(args.userItem), result.status, usage),
    now,
    ...(args.variables ? { variables: args.variables } : {}),
    ...(args.expectVariables ? { expectVariables: args.expectVariables } : {}),
    id: execution.id,
    expectedVersion: execution.version,
    expectedStatus: args.expectedStatus,
    claimWaitId: args.claimWaitId ?? null,
    set: outcome,
    receipt: turnReceipt(args.receipt, expected, () => turnResponse(ctx.secrets, expected, plan.blocks, wait)),
    // The turn's webhook events ride in its own statement (nothing for a tenant without webhooks).
    outbox: wantsExecutionEvents(ctx.webhooks, execution.tenant_id)
      ? webhookEventsCte(
          ctx.webhooks,
          execution.tenant_id,
          executionEvents(
            execution.tenant_id,
            {
              executionId: execution.id,
              previousStatus: args.expectedStatus,
              cause: args.input.kind === 'resume' ? 'resume' : 'job',
              handoff: plan.handoff,
              tokenUsage: usage,
            },
            {
              executionId: execution.id,
              conversationId: execution.conversation_id,
              customerId: args.conversation.customer_id,
              // The execution's intent is its flow's (intent_name is set from it at trigger).
              intentName: flow.intent.name,
              status: outcome.status as ExecutionStatus,
              version: execution.version + 1,
              error: outcome.error,
              reason: outcome.reason,
              at: now,
            },
          ),
        )
      : undefined,
  });
  const row = await commitTurn(ctx, statement, plan.extras);
  return {
    row,
    tokenUsage: tokenUsageOf(row.turn_usage),
    blocks: plan.blocks,
    wait,
    enqueuesJob: plan.enqueuesJob,
    state: result.state as unknown as JsonObject,
    newWait: plan.wait,
  };
}
