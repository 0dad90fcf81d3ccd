import type { AppContext } from '../app/AppContext.js';
import { transcriptPage } from '../chat/conversationHistory.js';
import type { Block } from '../engine/blocks.js';
import {
  type ExecutionState,
  type ExecutionStatus,
  type Json,
  type JsonObject,
  OPEN_STATUSES,
} from '../engine/types.js';
import { AppError } from '../errors/AppError.js';
import { decodeCursor } from '../executions/cursor.js';
import { continueJobKey } from '../executions/persistStep.js';
import { blocksAfter } from '../executions/store/blocksAfter.js';
import {
  abortOpenExecution,
  type ExecutionDetailRow,
  listConversationExecutions,
  readExecutionDetail,
} from '../executions/store/engineReads.js';
import { storedWaitView } from '../executions/storedWaitView.js';
import { type StoredExecution, turnResponse } from '../executions/turnResponse.js';
import type { SecretKeyAuth } from '../http/auth/secretKeyAuth.js';
import type { Receipt } from '../idempotency/Receipt.js';
import { executionTokenUsage } from '../llm/executionTokenUsage.js';
import { listCustomerSessions, readConversationRow } from '../sessions/sessionStore.js';
import { emitExecutionChanges } from '../webhooks/emitExecutionChanges.js';
import type { EngineConversation, EngineExecution, EngineSessions } from '../wire/engineSchemas.js';
import { decodeKeyset, keysetPage } from './keysetCursor.js';

// The Engine API (DESIGN §14): a secret key reads and controls its own tenant's executions, conversations and
// sessions. Every read is scoped by the key's tenant, so another tenant's id answers exactly like an unknown one.

const DEFAULT_LIMIT = 50;
/** Why an execution ended when a secret key aborted it (abortReasonCatalog). */
export const ABORTED_BY_API = 'aborted_by_api';

const executionNotFound = () => new AppError('execution_not_found', 'No such execution.');
const conversationNotFound = () => new AppError('not_found', 'No such conversation.');

export async function engineExecution(
  ctx: AppContext,
  auth: Pick<SecretKeyAuth, 'tenantId'>,
  executionId: string,
  query: { after?: string },
): Promise<EngineExecution> {
  const after = query.after !== undefined ? decodeCursor(query.after) : undefined;
  const row = await readExecutionDetail(ctx.kysely, auth.tenantId, executionId);
  if (!row) throw executionNotFound();
  const fromSeq = after?.seq ?? 0;
  const blocks = row.last_seq > fromSeq ? await blocksAfter(ctx.kysely, row.id, fromSeq) : [];
  const view = executionView(ctx, row, blocks);
  // Running totals over the execution's turns (a reply or poll carries the turn's sum only).
  const usage = await executionTokenUsage(ctx.kysely, auth.tenantId, row.id);
  return usage ? { ...view, tokenUsage: usage } : view;
}

/**
 * Aborts an open execution (`aborted_by_api`): one update conditional on the status and version it was read in, its
 * pending job cancelled and the Idempotency-Key's answer recorded in the same transaction; then the change is
 * announced, so polls and streams see it. An execution that is not open → 409 `execution_not_waiting`.
 */
export async function abortExecution(
  ctx: AppContext,
  auth: SecretKeyAuth,
  executionId: string,
  receipt: Receipt | undefined,
): Promise<EngineExecution> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await readExecutionDetail(ctx.kysely, auth.tenantId, executionId);
    if (!row) throw executionNotFound();
    if (!(OPEN_STATUSES as readonly string[]).includes(row.status)) {
      throw new AppError('execution_not_waiting', `The execution is ${row.status}: there is nothing to abort.`);
    }
    const now = new Date();
    const view = await ctx.kysely.transaction().execute(async (trx) => {
      const ended = await abortOpenExecution(trx, now, {
        tenantId: auth.tenantId,
        id: row.id,
        status: row.status,
        version: row.version,
        reason: ABORTED_BY_API,
      });
      if (!ended) return undefined;
      await emitExecutionChanges(trx, ctx.webhooks, auth.tenantId, [
        { executionId: row.id, previousStatus: row.status as ExecutionStatus, cause: 'abort' },
      ]);
      // The job of a time wait would resume it: it goes with the abort, or not at all.
      if (row.status === 'waiting_time' && ended.wait_id) await ctx.jobs.cancel(trx, continueJobKey(ended.wait_id));
      const final = await readExecutionDetail(trx, auth.tenantId, row.id);
      const result = executionView(ctx, final!, await blocksAfter(trx, row.id, 0));
      await receipt?.write(trx, 200, result as unknown as Json);
      return result;
    });
    if (view) {
      ctx.events.changed(row.id);
      return view;
    }
    // A turn, job, sweep or another abort changed it meanwhile: look again.
  }
  throw new AppError('conversation_busy', 'The execution kept changing; retry.', undefined, { 'Retry-After': '1' });
}

export async function engineConversation(
  ctx: AppContext,
  auth: Pick<SecretKeyAuth, 'tenantId'>,
  conversationId: string,
  query: { cursor?: string; limit?: number; executionsCursor?: string; executionsLimit?: number },
): Promise<EngineConversation> {
  const executionsAfter = decodeKeyset(query.executionsCursor, 'executionsCursor');
  const conversation = await readConversationRow(ctx.kysely, auth.tenantId, conversationId);
  if (!conversation) throw conversationNotFound();
  const where = { tenantId: auth.tenantId, conversationId: conversation.id };
  const transcript = await transcriptPage(ctx, where, {
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    limit: query.limit ?? DEFAULT_LIMIT,
  });
  const executionsLimit = query.executionsLimit ?? DEFAULT_LIMIT;
  const executions = keysetPage(
    await listConversationExecutions(ctx.kysely, where, executionsAfter, executionsLimit + 1),
    executionsLimit,
  );
  return {
    conversationId: conversation.id,
    customerId: conversation.customer_id,
    publicKeyId: conversation.public_key_id,
    createdAt: conversation.created_at.toISOString(),
    updatedAt: conversation.updated_at.toISOString(),
    revokedAt: conversation.revoked_at ? conversation.revoked_at.toISOString() : null,
    variables: { untrusted: true, values: conversation.variables },
    transcript,
    executions: {
      items: executions.rows.map((e) => ({
        executionId: e.id,
        intentName: e.intent_name,
        status: e.status as EngineExecution['status'],
        ...(e.status === 'failed' && e.error ? { error: errorOf(e.error) } : {}),
        ...(e.status === 'aborted' && e.reason ? { reason: e.reason } : {}),
        createdAt: e.created_at.toISOString(),
        endedAt: e.ended_at ? e.ended_at.toISOString() : null,
      })),
      nextCursor: executions.nextCursor,
    },
  };
}

/** A customer's sessions, newest first, walked with a keyset cursor. */
export async function engineSessions(
  ctx: AppContext,
  auth: SecretKeyAuth,
  query: { customerId: string; cursor?: string; limit?: number },
): Promise<EngineSessions> {
  const after = decodeKeyset(query.cursor);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const page = keysetPage(
    await listCustomerSessions(ctx.kysely, { tenantId: auth.tenantId, customerId: query.customerId }, after, limit + 1),
    limit,
  );
  const now = Date.now();
  return {
    items: page.rows.map((s) => ({
      sessionId: s.id,
      conversationId: s.conversation_id,
      customerId: s.customer_id,
      publicKeyId: s.public_key_id,
      status: s.revoked_at ? 'revoked' : s.expires_at.getTime() <= now ? 'expired' : 'active',
      origin: s.origin,
      locale: s.locale,
      createdAt: s.created_at.toISOString(),
      expiresAt: s.expires_at.toISOString(),
      revokedAt: s.revoked_at ? s.revoked_at.toISOString() : null,
    })),
    nextCursor: page.nextCursor,
  };
}

function errorOf(error: JsonObject): { code: string; message: string } {
  return { code: String(error.code), message: String(error.message) };
}

/** The Engine API's view of an execution: the poll's answer (without the wait token) plus state, trace and timings. */
function executionView(ctx: AppContext, row: ExecutionDetailRow, blocks: Block[]): EngineExecution {
  const stored = row as unknown as StoredExecution;
  const {
    waitToken: _token,
    conversationId,
    executionId,
    status,
    cursor,
    wait,
    error,
    reason,
    tokenUsage,
  } = turnResponse(ctx.secrets, stored, blocks, storedWaitView(stored));
  const state = row.state as unknown as ExecutionState;
  return {
    executionId,
    conversationId,
    sessionId: row.session_id,
    intentName: row.intent_name,
    flowId: row.flow_id,
    flowVersionId: row.flow_version_id,
    status,
    version: row.version,
    state: {
      position: state.position ?? null,
      steps: state.steps ?? 0,
      ...(state.frames && state.frames.length > 0 ? { frames: state.frames } : {}),
      vars: { untrusted: true, values: state.vars ?? {} },
    },
    trace: row.trace as EngineExecution['trace'],
    traceDropped: row.trace_dropped,
    blocks,
    cursor,
    ...(wait ? { wait } : {}),
    ...(error ? { error } : {}),
    ...(reason ? { reason } : {}),
    ...(tokenUsage ? { tokenUsage } : {}),
    timings: {
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      endedAt: row.ended_at ? row.ended_at.toISOString() : null,
      activeMs: Math.round(row.active_ms),
    },
  };
}
