import type { AppContext } from '../app/AppContext.js';
import type { ChatSession } from '../chat/authenticateSession.js';
import { checkVariables, mergeVariables } from '../chat/conversationVariables.js';
import { json } from '../db/json.js';
import type { JsonObject } from '../engine/types.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';
import type { Field } from '../fields/types.js';
import { validateValues } from '../fields/validateValues.js';
import { isWaitToken } from '../security/derivedTokens.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { advanceExecution } from './advanceExecution.js';
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
      .select([
        'id',
        'tenant_id',
        'conversation_id',
        'status',
        'version',
        'state',
        'last_seq',
        'wait_id',
        'flow_version_id',
      ])
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
    if (wait.kind !== 'input' || wait.status === 'claimed') throw tokenMismatch();
    if (wait.status !== 'open' || execution.status !== 'waiting_input' || (wait.expires_at && wait.expires_at <= now)) {
      throw new AppError('execution_not_waiting', `The execution is ${execution.status}, not waiting for input.`);
    }

    const checked = validateValues(wait.fields as unknown as Field[], input.values);
    const issues: FieldIssue[] = checked.ok ? [] : [...checked.errors];
    let variables = conversation.variables;
    if (input.variables !== undefined) {
      const varIssues = checkVariables(input.variables, 'variables', true);
      const merged = mergeVariables(variables, input.variables as JsonObject);
      if (varIssues.length === 0) varIssues.push(...checkVariables(merged));
      issues.push(...varIssues);
      variables = merged;
    }
    if (!checked.ok || issues.length > 0) throw AppError.validation(issues);
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

    return advanceExecution(ctx, trx, {
      execution,
      conversation: { ...conversation, variables },
      locale: session.locale,
      input: { kind: 'resume', values: checked.values },
      expectedStatus: 'waiting_input',
      userItem: { type: 'values', nodeId: wait.node_id, values: checked.values },
      now,
    });
  });
  ctx.events.changed(result.row.id);
  ctx.jobs.wake();
  return turnResponse(ctx.secrets, result.row, result.blocks, result.wait);
}
