import type { AppContext } from '../app/AppContext.js';
import { applyVariables } from '../conversations/conversationVariables.js';
import { isUuid } from '../db/isUuid.js';
import type { JsonObject } from '../engine/types.js';
import { AppError, type FieldIssue } from '../errors/AppError.js';
import type { Field } from '../fields/types.js';
import { validateValues } from '../fields/validateValues.js';
import type { Receipt } from '../idempotency/Receipt.js';
import { isWaitToken } from '../security/derivedTokens.js';
import { sessionRowOf } from '../sessions/sessionStore.js';
import { findChatUpload, markChatUploadsReferenced } from '../uploads/uploadStore.js';
import type { ChatTurnResponse } from '../wire/chatSchemas.js';
import { advanceExecution } from './advanceExecution.js';
import { readWaitingExecution, readWaitingExecutionAs } from './store/readWaitingExecution.js';
import { variablesCondition } from './store/writeTurn.js';
import type { TurnCaller, UnverifiedCaller } from './TurnCaller.js';
import { retryTurn } from './TurnConflict.js';
import { turnResponse } from './turnResponse.js';

/**
 * Resumes a waiting execution with form values. Values are validated before the wait is claimed, so a 422 leaves the
 * execution waiting and the token valid; the claim is the turn's one conditional write (the execution still on this
 * wait, at the version read), so of two concurrent resumes exactly one runs and the other, re-reading, gets 409
 * wait_token_invalid.
 */
export async function resumeExecution(
  ctx: AppContext,
  caller: TurnCaller | UnverifiedCaller,
  input: {
    executionId: string;
    waitToken: string;
    values: Record<string, unknown>;
    variables?: Record<string, unknown>;
  },
  receipt?: Receipt,
): Promise<ChatTurnResponse> {
  // Set by the first read: the caller's session, verified from memory or with the execution it read.
  let session: TurnCaller | undefined = 'claims' in caller ? caller.known : caller;
  const timed = ctx.metrics.startTurn('resume');
  const result = await retryTurn(
    async () => {
      const now = new Date();
      // One read (or this process's last write of it), no lock: the write is conditional on this execution's version,
      // status and wait, so of two concurrent resumes exactly one applies; the other re-reads and finds the wait spent.
      let execution: WaitingExecution | undefined;
      let cached = false;
      let who: TurnCaller;
      if (session) {
        who = session;
        ({ execution, cached } = await readExecution(ctx, who, input.executionId));
      } else {
        const read = await readExecutionAs(caller as UnverifiedCaller, ctx, input.executionId);
        execution = read.execution;
        who = session = read.session;
      }
      if (!execution || execution.conversation_id !== who.conversationId) {
        throw new AppError('execution_not_found', 'No such execution in this conversation.');
      }

      // An answered wait is consumed (no longer the execution's wait_id): its token is spent. A wait that is still the
      // execution's but no longer open went with the execution (superseded, expired, failed).
      const tokenMismatch = () =>
        new AppError('wait_token_invalid', 'This wait token was already used or does not belong to this execution.');
      if (!execution.wait_id || !isWaitToken(ctx.secrets, execution.wait_id, input.waitToken)) throw tokenMismatch();
      if (execution.wait_kind !== 'input') throw tokenMismatch();
      const expired = execution.wait_expires_at !== null && execution.wait_expires_at <= now;
      if (execution.status !== 'waiting_input' || expired) {
        throw new AppError('execution_not_waiting', `The execution is ${execution.status}, not waiting for input.`);
      }

      const checked = validateValues((execution.wait_fields ?? []) as unknown as Field[], input.values);
      const issues: FieldIssue[] = checked.ok ? [] : [...checked.errors];
      let variables = execution.variables;
      if (input.variables !== undefined) {
        const applied = applyVariables(variables, input.variables);
        issues.push(...applied.issues);
        variables = applied.variables;
      }
      if (!checked.ok || issues.length > 0) throw AppError.validation(issues);
      await checkChatFileRefs(ctx, who, execution.wait_fields as unknown as Field[], checked.values, now);

      return advanceExecution(ctx, {
        receipt,
        execution,
        conversation: { id: who.conversationId, customer_id: execution.customer_id, variables },
        ...variablesCondition(execution.variables, input.variables !== undefined ? variables : undefined, cached),
        locale: who.locale,
        input: { kind: 'resume', values: checked.values },
        expectedStatus: 'waiting_input',
        userItem: { type: 'values', nodeId: execution.wait_node_id!, values: checked.values },
        // Consumed by the execution's update itself: of two resumes exactly one gets the row.
        claimWaitId: execution.wait_id,
        now,
      }).then((advanced) => ({
        ...advanced,
        remember: () =>
          ctx.conversations.rememberTurn(
            { id: who.conversationId, tenantId: who.tenantId, customerId: execution.customer_id, variables },
            {
              row: advanced.row,
              state: advanced.state,
              wait: advanced.newWait,
              flowVersionId: execution.flow_version_id,
            },
          ),
      }));
    },
    () => ctx.conversations.forget('claims' in caller ? caller.claims.cid : caller.conversationId),
  );
  timed();
  ctx.metrics.executionStatus(result.row.status);
  ctx.events.changed(result.row.id);
  // After the change event, which drops the conversation's entry (it named this execution).
  result.remember();
  if (result.enqueuesJob) ctx.jobs.wake();
  return turnResponse(ctx.secrets, result.row, result.blocks, result.wait);
}

/**
 * An `ask` file value must be the id of an upload made in this conversation for that field (POST /chat/uploads), not
 * expired (DESIGN §4); the uploads are marked referenced so the expiry sweep keeps them. No file field, no query.
 */
async function checkChatFileRefs(
  ctx: AppContext,
  who: TurnCaller,
  fields: Field[] | null,
  values: JsonObject,
  now: Date,
): Promise<void> {
  const files = (fields ?? []).filter((f) => f.type === 'file' && typeof values[f.name] === 'string');
  if (files.length === 0) return;
  const issues: FieldIssue[] = [];
  const ids: string[] = [];
  for (const field of files) {
    const id = values[field.name] as string;
    const upload = isUuid(id)
      ? await findChatUpload(
          ctx.kysely,
          { tenantId: who.tenantId, id, conversationId: who.conversationId, field: field.name },
          now,
        )
      : undefined;
    if (upload) ids.push(upload.id);
    else {
      issues.push({
        path: `values.${field.name}`,
        rule: 'file_ref',
        message: 'is not an unexpired upload of this conversation for this field',
      });
    }
  }
  if (issues.length > 0) throw AppError.validation(issues);
  await markChatUploadsReferenced(ctx.kysely, who.tenantId, ids, now);
}

type WaitingExecution = Omit<Awaited<ReturnType<typeof readWaitingExecution>>[number], 'turn_usage'>;

/**
 * The execution and the caller's session in one read, the session verified from it (a cold resume: neither in this
 * process's memory); when the read finds no execution, the session is verified alone first, so a bad session still
 * answers 401 before a missing execution's 404.
 */
async function readExecutionAs(
  caller: UnverifiedCaller,
  ctx: AppContext,
  executionId: string,
): Promise<{ execution: WaitingExecution | undefined; session: TurnCaller }> {
  const [row] = await readWaitingExecutionAs(ctx.kysely, {
    executionId,
    tenantId: caller.claims.tid,
    sessionId: caller.claims.sid,
  });
  if (!row) return { execution: undefined, session: await caller.session() };
  return { execution: row, session: caller.verify(sessionRowOf(row)) };
}

/** The execution from the `ConversationCache` when this process wrote it last and it still waits there, else read. */
async function readExecution(
  ctx: AppContext,
  session: TurnCaller,
  executionId: string,
): Promise<{ execution: WaitingExecution | undefined; cached: boolean }> {
  const conversation = ctx.conversations.get(session.tenantId, session.conversationId);
  const open = conversation?.open;
  if (conversation && open?.id === executionId) {
    return {
      cached: true,
      execution: {
        id: open.id,
        tenant_id: session.tenantId,
        conversation_id: session.conversationId,
        status: open.status,
        version: open.version,
        state: open.state,
        last_seq: open.lastSeq,
        wait_id: open.wait.id,
        flow_version_id: open.flowVersionId,
        variables: conversation.variables,
        customer_id: conversation.customerId,
        locale: session.locale,
        wait_kind: open.wait.kind,
        wait_fields: open.wait.fields,
        wait_node_id: open.wait.nodeId,
        wait_expires_at: open.wait.expiresAt,
      },
    };
  }
  const [execution] = await readWaitingExecution(ctx.kysely, { executionId, tenantId: session.tenantId });
  return { execution, cached: false };
}
