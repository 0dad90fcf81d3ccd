import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../app/AppContext.js';
import type { ChatSession } from '../chat/authenticateSession.js';
import { checkVariables, mergeVariables } from '../chat/conversationVariables.js';
import { json } from '../db/json.js';
import { step } from '../engine/step.js';
import type { JsonObject } from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { findPublishedFlow } from '../flows/flowService.js';
import { keyAllowsIntent } from '../keys/widgetKeyService.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { engineContext } from './engineContext.js';
import { loadFlowCatalog } from './loadFlowCatalog.js';
import { continueJobKey, planStep } from './persistStep.js';
import { turnResponse, waitViewOf } from './turnResponse.js';
import { insertTurn } from './writeTurn.js';

const OPEN_STATUSES = ['running', 'waiting_input', 'waiting_time'] as const;

/**
 * Starts an execution of the intent's published flow and runs it to its first wait or end, all in one
 * transaction that holds the conversation's row lock, so two triggers of one conversation never interleave.
 */
export async function triggerExecution(
  ctx: AppContext,
  session: ChatSession,
  input: { intentName: string; text?: string; variables?: Record<string, unknown>; supersede?: boolean },
): Promise<ChatTurnResponse> {
  if (!keyAllowsIntent(session.key, input.intentName)) {
    throw new AppError('intent_not_allowed', `This widget key may not trigger the intent "${input.intentName}".`);
  }
  const flow = await findPublishedFlow(ctx, session.tenantId, input.intentName);
  if (!flow) throw new AppError('intent_not_matched', `No published flow for the intent "${input.intentName}".`);

  const result = await ctx.kysely.transaction().execute(async (trx) => {
    const now = new Date();
    // Lock the conversation first (its triggers and resumes queue here), then read its open executions: a read in
    // the locking statement itself would see the snapshot from before the wait for the lock.
    const conversation = await trx
      .selectFrom('conversations')
      .select(['id', 'variables', 'customer_id'])
      .where('id', '=', session.conversationId)
      .where('tenant_id', '=', session.tenantId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const open = await trx
      .selectFrom('executions')
      .select(['id', 'status', 'wait_id'])
      .where('conversation_id', '=', conversation.id)
      .where('status', 'in', OPEN_STATUSES)
      .execute();
    const busy = open.filter((e) => e.status === 'running' || (e.status === 'waiting_time' && !input.supersede));
    if (busy.length > 0) {
      throw new AppError(
        'conversation_busy',
        'Another execution of this conversation is still working. Retry shortly, or trigger with "supersede": true.',
        { executionId: busy[0]!.id },
        { 'Retry-After': '1' },
      );
    }

    let variables = conversation.variables;
    if (input.variables !== undefined) {
      const issues = checkVariables(input.variables, 'variables', true);
      const merged = mergeVariables(variables, input.variables as JsonObject);
      if (issues.length === 0) issues.push(...checkVariables(merged));
      if (issues.length > 0) throw AppError.validation(issues, 'The variables break a bound.');
      variables = merged;
      await trx
        .updateTable('conversations')
        .set({ variables: json(variables), updated_at: now })
        .where('id', '=', conversation.id)
        .execute();
    }

    // An open execution of the conversation gives way to the new trigger; a pending async job of it is dropped.
    // Its open wait is cancelled here, before the execution row changes: the sweeper locks waits before executions too.
    const superseded = open.map((e) => e.id);
    for (const e of open) {
      if (e.status === 'waiting_time' && e.wait_id) await ctx.jobs.cancel(trx, continueJobKey(e.wait_id));
    }
    if (superseded.length > 0) {
      await trx
        .updateTable('waits')
        .set({ status: 'cancelled' })
        .where('execution_id', 'in', superseded)
        .where('status', '=', 'open')
        .execute();
    }
    const executionId = uuidv7();

    const started = performance.now();
    const flows = await loadFlowCatalog(ctx, trx, session.tenantId, flow.definition, null);
    const ectx = engineContext({
      conversationId: conversation.id,
      customerId: conversation.customer_id,
      variables,
      locale: session.locale,
      now,
      ...(flows ? { flows } : {}),
    });
    const stepResult = await step(
      flow.definition,
      null,
      { kind: 'trigger', ...(input.text !== undefined ? { text: input.text } : {}) },
      ectx,
    );

    const plan = planStep({
      tenantId: session.tenantId,
      conversationId: conversation.id,
      executionId,
      lastSeq: 0,
      flow: flow.definition,
      result: stepResult,
      now,
      jobs: ctx.jobs,
    });
    const row = await insertTurn(trx, {
      tenantId: session.tenantId,
      conversationId: conversation.id,
      items: plan.items({
        type: 'trigger',
        intentName: input.intentName,
        ...(input.text !== undefined ? { text: input.text } : {}),
      }),
      wait: plan.wait,
      now,
      notify: ctx.db.backend === 'postgres',
      supersede: { ids: superseded, statuses: input.supersede ? ['waiting_input', 'waiting_time'] : ['waiting_input'] },
      row: {
        id: executionId,
        session_id: session.id,
        flow_id: flow.flowId,
        flow_version_id: flow.versionId,
        intent_name: input.intentName,
        ...plan.outcome(performance.now() - started, null),
      },
    });
    await plan.writeExtras(trx);
    return { row, blocks: plan.blocks, wait: waitViewOf(stepResult.wait), superseded };
  });
  for (const id of result.superseded) ctx.events.changed(id);
  ctx.events.changed(result.row.id);
  ctx.jobs.wake();
  return turnResponse(ctx.secrets, result.row, result.blocks, result.wait);
}
