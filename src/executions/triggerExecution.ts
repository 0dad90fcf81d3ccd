import type { Kysely } from 'kysely';
import type { AppContext } from '../app/AppContext.js';
import { applyVariables } from '../conversations/conversationVariables.js';
import { newId } from '../db/newId.js';
import type { Database } from '../db/types.js';
import { step } from '../engine/step.js';
import type { ExecutionStatus, JsonObject } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { findPublishedFlow, findTestFlow } from '../flows/flowService.js';
import type { Receipt } from '../idempotency/Receipt.js';
import { keyAllowsIntent } from '../keys/widgetKeyService.js';
import { emitExecutionChanges, executionEvents, wantsExecutionEvents } from '../webhooks/emitExecutionChanges.js';
import { webhookEventsCte } from '../webhooks/emitWebhookEvent.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { engineContext } from './engineContext.js';
import { loadFlowCatalog } from './loadFlowCatalog.js';
import { continueJobKey, planStep } from './persistStep.js';
import { storableStep } from './storableStep.js';
import { readConversation } from './store/readConversation.js';
import { commitTurn, insertTurn, type Superseded, variablesCondition } from './store/writeTurn.js';
import type { TurnCaller } from './TurnCaller.js';
import { retryTurn } from './TurnConflict.js';
import { turnReceipt } from './turnReceipt.js';
import { expectedRow, turnResponse, waitViewOf } from './turnResponse.js';

/**
 * Starts an execution of the intent's published flow and runs it to its first wait or end, superseding the
 * conversation's open execution. Optimistic: read, run the engine, then one conditional write; two triggers of one
 * conversation never both apply — the later one re-reads and supersedes the earlier.
 */
export async function triggerExecution(
  ctx: AppContext,
  session: TurnCaller,
  input: { intentName: string; text?: string; variables?: Record<string, unknown>; supersede?: boolean },
  receipt?: Receipt,
): Promise<ChatTurnResponse> {
  const testVersionId = session.testVersionId ?? null;
  if (!testVersionId && !keyAllowsIntent(session.key, input.intentName)) {
    throw new AppError('intent_not_allowed', `This widget key may not trigger the intent "${input.intentName}".`);
  }
  const flow = testVersionId
    ? await findTestFlow(ctx, session.tenantId, testVersionId, input.intentName)
    : await findPublishedFlow(ctx, session.tenantId, input.intentName);
  if (!flow) throw new AppError('intent_not_matched', `No published flow for the intent "${input.intentName}".`);

  const timed = ctx.metrics.startTurn('trigger');
  const result = await retryTurn(
    async () => {
      const now = new Date();
      const read = await readConversationState(ctx, session);
      const open = read.open;
      if (open && (open.status === 'running' || (open.status === 'waiting_time' && !input.supersede))) {
        throw new AppError(
          'conversation_busy',
          'Another execution of this conversation is still working. Retry shortly, or trigger with "supersede": true.',
          { executionId: open.id },
          { 'Retry-After': '1' },
        );
      }

      let variables = read.variables;
      if (input.variables !== undefined) {
        const applied = applyVariables(variables, input.variables);
        if (applied.issues.length > 0) throw AppError.validation(applied.issues, 'The variables break a bound.');
        variables = applied.variables;
      }

      const executionId = newId();
      const started = performance.now();
      const flows = await loadFlowCatalog(ctx, session.tenantId, flow.definition, null);
      const ectx = engineContext({
        conversationId: session.conversationId,
        customerId: read.customerId,
        variables,
        locale: session.locale,
        now,
        ...(flows ? { flows } : {}),
      });
      const stepResult = storableStep(
        await step(
          flow.definition,
          null,
          { kind: 'trigger', ...(input.text !== undefined ? { text: input.text } : {}) },
          ectx,
        ),
      );

      const plan = planStep({
        tenantId: session.tenantId,
        conversationId: session.conversationId,
        executionId,
        lastSeq: 0,
        flow: flow.definition,
        result: stepResult,
        now,
        jobs: ctx.jobs,
        webhooks: ctx.webhooks,
      });
      const outcome = plan.outcome(performance.now() - started);
      const wait = waitViewOf(stepResult.wait);
      const expected = expectedRow(executionId, session.conversationId, 1, outcome);
      const statement = insertTurn({
        tenantId: session.tenantId,
        conversationId: session.conversationId,
        items: plan.items({
          type: 'trigger',
          intentName: input.intentName,
          ...(input.text !== undefined ? { text: input.text } : {}),
        }),
        now,
        ...variablesCondition(read.variables, input.variables !== undefined ? variables : undefined, read.cached),
        supersede: open,
        outbox: wantsExecutionEvents(ctx.webhooks, session.tenantId)
          ? webhookEventsCte(
              ctx.webhooks,
              session.tenantId,
              executionEvents(
                session.tenantId,
                // No tokenUsage: an `llm` node always runs as a job, so a trigger's own step never spends tokens.
                { executionId, previousStatus: null, cause: 'trigger', handoff: plan.handoff },
                {
                  executionId,
                  conversationId: session.conversationId,
                  customerId: read.customerId,
                  intentName: input.intentName,
                  status: outcome.status as ExecutionStatus,
                  version: 1,
                  error: outcome.error,
                  reason: outcome.reason,
                  at: now,
                },
              ),
            )
          : undefined,
        receipt: turnReceipt(receipt, expected, () => turnResponse(ctx.secrets, expected, plan.blocks, wait)),
        row: {
          id: executionId,
          session_id: session.id,
          flow_id: flow.flowId,
          flow_version_id: flow.versionId,
          intent_name: input.intentName,
          test: testVersionId !== null,
          ...outcome,
        },
      });
      // A superseded execution's pending async job is dropped with it, in the same transaction.
      const cancelJob = open?.status === 'waiting_time' && open.waitId ? continueJobKey(open.waitId) : undefined;
      // A superseded execution's webhook events need its row (its intent): they go with the extras; the new
      // execution's ride in the turn's own statement. Nothing for a tenant without webhooks.
      const supersedeEvents = open !== null && wantsExecutionEvents(ctx.webhooks, session.tenantId);
      const extras =
        cancelJob || plan.extras || supersedeEvents
          ? async (trx: Kysely<Database>) => {
              if (cancelJob) await ctx.jobs.cancel(trx, cancelJob);
              await plan.extras?.(trx);
              if (supersedeEvents && open) {
                await emitExecutionChanges(trx, ctx.webhooks, session.tenantId, [
                  { executionId: open.id, previousStatus: open.status as ExecutionStatus, cause: 'supersede' },
                ]);
              }
            }
          : undefined;
      const row = await commitTurn(ctx, statement, extras);
      return {
        row,
        blocks: plan.blocks,
        wait,
        superseded: open?.id,
        enqueuesJob: plan.enqueuesJob,
        remember: () =>
          ctx.conversations.rememberTurn(
            { id: session.conversationId, tenantId: session.tenantId, customerId: read.customerId, variables },
            {
              row,
              state: stepResult.state as unknown as JsonObject,
              wait: plan.wait,
              flowVersionId: flow.versionId,
            },
          ),
      };
    },
    () => ctx.conversations.forget(session.conversationId),
  );
  timed();
  if (result.superseded) {
    ctx.metrics.executionStatus('aborted');
    ctx.events.changed(result.superseded);
  }
  ctx.metrics.executionStatus(result.row.status);
  ctx.events.created(result.row.id);
  // After the change events, which drop the conversation's entry when they name its (superseded) open execution.
  result.remember();
  if (result.enqueuesJob) ctx.jobs.wake();
  return turnResponse(ctx.secrets, result.row, result.blocks, result.wait);
}

/**
 * The conversation's variables, customer and open execution: from the `ConversationCache` when this process wrote
 * its last turn (the write then also checks the variables), else one read without a lock — the write is conditional
 * on what it saw either way, and a concurrent turn that got there first makes this one start over.
 */
async function readConversationState(
  ctx: AppContext,
  session: TurnCaller,
): Promise<{ variables: JsonObject; customerId: string; open: Superseded | null; cached: boolean }> {
  const cached = ctx.conversations.get(session.tenantId, session.conversationId);
  if (cached) {
    const open = cached.open;
    return {
      variables: cached.variables,
      customerId: cached.customerId,
      open: { id: open.id, status: open.status, version: open.version, waitId: open.wait.id },
      cached: true,
    };
  }
  const [read] = await readConversation(ctx.kysely, {
    conversationId: session.conversationId,
    tenantId: session.tenantId,
  });
  if (!read) throw new AppError('session_expired', 'The conversation of this session is gone. Open a new session.');
  return {
    variables: read.variables,
    customerId: read.customer_id,
    open: read.open_id
      ? { id: read.open_id, status: read.open_status!, version: read.open_version!, waitId: read.open_wait_id }
      : null,
    cached: false,
  };
}
