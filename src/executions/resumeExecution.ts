import type { AppContext } from '../app/AppContext.js';
import type { ChatSession } from '../chat/authenticateSession.js';
import { checkVariables, mergeVariables } from '../chat/conversationVariables.js';
import { json } from '../db/json.js';
import { step } from '../engine/step.js';
import type { ExecutionState, JsonObject } from '../engine/types.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';
import type { Field } from '../fields/types.js';
import { validateValues } from '../fields/validateValues.js';
import { loadFlowVersion } from '../flows/flowService.js';
import { isWaitToken } from '../security/derivedTokens.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { engineContext } from './engineContext.js';
import { appendTrace, planStep } from './persistStep.js';
import { turnResponse } from './turnResponse.js';

/**
 * Resumes a waiting execution with form values. Values are validated before the wait is claimed, so a 422 leaves the
 * execution waiting and the token valid; the claim is one conditional update, so of two concurrent resumes exactly
 * one runs and the other gets 409 wait_token_invalid.
 */
export async function resumeExecution(
  ctx: AppContext,
  session: ChatSession,
  input: {
    executionId: string;
    waitToken: string;
    values: Record<string, unknown>;
    variables?: Record<string, unknown>;
  },
): Promise<ChatTurnResponse> {
  const result = await ctx.kysely.transaction().execute(async (trx) => {
    const now = new Date();
    const conversation = await trx
      .selectFrom('conversations')
      .select(['id', 'variables', 'customer_id'])
      .where('id', '=', session.conversationId)
      .where('tenant_id', '=', session.tenantId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const execution = await trx
      .selectFrom('executions')
      .select(['id', 'status', 'version', 'state', 'last_seq', 'wait_id', 'flow_version_id'])
      .where('id', '=', input.executionId)
      .where('tenant_id', '=', session.tenantId)
      .where('conversation_id', '=', conversation.id)
      .executeTakeFirst();
    if (!execution) throw new AppError('execution_not_found', 'No such execution in this conversation.');

    const tokenMismatch = () =>
      new AppError('wait_token_invalid', 'This wait token was already used or does not belong to this execution.');
    if (!execution.wait_id || !isWaitToken(ctx.secrets, execution.wait_id, input.waitToken)) throw tokenMismatch();
    const wait = await trx
      .selectFrom('waits')
      .selectAll()
      .where('id', '=', execution.wait_id)
      .executeTakeFirstOrThrow();
    if (wait.status === 'claimed') throw tokenMismatch();
    if (wait.status !== 'open' || execution.status !== 'waiting_input') {
      throw new AppError('execution_not_waiting', `The execution is ${execution.status}, not waiting for input.`);
    }

    const fields = wait.fields as unknown as Field[];
    const checked = validateValues(fields, input.values);
    const issues: FieldIssue[] = checked.ok ? [] : [...checked.errors];
    let variables = conversation.variables;
    if (input.variables !== undefined) {
      const varIssues = checkVariables(input.variables, 'variables', true);
      const merged = mergeVariables(variables, input.variables as JsonObject);
      if (varIssues.length === 0) varIssues.push(...checkVariables(merged));
      issues.push(...varIssues);
      variables = merged;
    }
    if (issues.length > 0 || !checked.ok) throw AppError.validation(issues);
    if (input.variables !== undefined) {
      await trx
        .updateTable('conversations')
        .set({ variables: json(variables), updated_at: now })
        .where('id', '=', conversation.id)
        .execute();
    }

    const claimed = await trx
      .updateTable('waits')
      .set({ status: 'claimed', claimed_at: now })
      .where('id', '=', wait.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) throw tokenMismatch();

    const flow = await loadFlowVersion(trx, session.tenantId, execution.flow_version_id);
    const ectx = engineContext({
      conversationId: conversation.id,
      customerId: conversation.customer_id,
      variables,
      locale: session.locale,
    });
    const stepResult = await step(
      flow,
      execution.state as unknown as ExecutionState,
      { kind: 'resume', values: checked.values },
      ectx,
    );
    const plan = planStep({
      tenantId: session.tenantId,
      conversationId: conversation.id,
      executionId: execution.id,
      lastSeq: execution.last_seq,
      flow,
      result: stepResult,
      now,
    });
    const ended =
      stepResult.status === 'completed' || stepResult.status === 'failed' || stepResult.status === 'aborted';
    const row = await trx
      .updateTable('executions')
      .set({
        status: stepResult.status,
        version: execution.version + 1,
        state: json(stepResult.state),
        last_seq: plan.lastSeq,
        wait_id: plan.waitId ?? execution.wait_id,
        wait_expires_at: plan.waitExpiresAt,
        error: stepResult.error ? json(stepResult.error) : null,
        reason: stepResult.reason ?? null,
        trace: appendTrace(stepResult.trace),
        updated_at: now,
        ended_at: ended ? now : null,
      })
      .where('id', '=', execution.id)
      .where('version', '=', execution.version)
      .where('status', '=', 'waiting_input')
      .returning([
        'id',
        'conversation_id',
        'status',
        'version',
        'last_seq',
        'wait_id',
        'wait_expires_at',
        'error',
        'reason',
      ])
      .executeTakeFirst();
    if (!row) throw tokenMismatch();
    await trx
      .insertInto('chat_items')
      .values({
        tenant_id: session.tenantId,
        conversation_id: conversation.id,
        execution_id: execution.id,
        seq: null,
        role: 'user',
        body: json({ type: 'values', nodeId: wait.node_id, values: checked.values }),
        created_at: now,
      })
      .execute();
    await plan.write(trx);
    return { row, blocks: plan.blocks, waitFields: stepResult.wait?.fields ?? null };
  });
  ctx.events.changed(result.row.id);
  return turnResponse(ctx.secrets, result.row, result.blocks, result.waitFields);
}
