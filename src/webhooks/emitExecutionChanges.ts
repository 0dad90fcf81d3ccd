import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { ExecutionStatus } from '../engine/types.js';
import type { WebhookEventType, WebhookTokenUsage } from '../wire/webhookSchemas.js';
import { emitWebhookEvent } from './emitWebhookEvent.js';
import type { WebhookSubscriptions } from './WebhookSubscriptions.js';

export const EXECUTION_EVENT_TYPES: readonly WebhookEventType[] = [
  'chat.execution.updated',
  'chat.execution.completed',
  'chat.handoff.requested',
];

/** One committed change of one execution, as its writer knows it. */
export interface ExecutionChange {
  executionId: string;
  previousStatus: ExecutionStatus | null;
  cause: 'trigger' | 'resume' | 'job' | 'sweep' | 'supersede' | 'abort';
  /**
   * The LLM tokens of the turn that made this change. SEAM: the LLM issue adds `tokenUsage` to the turn result;
   * triggerExecution and advanceExecution pass it here (today they pass nothing → null in the payload).
   */
  tokenUsage?: WebhookTokenUsage | null;
  /** Set when a `handoff` node ran in this turn. */
  handoff?: { nodeId: string; queue: string | null; message: string | null } | undefined;
}

/** Whether the tenant subscribed to any execution event: only then does a turn pay for a transaction and a read. */
export function wantsExecutionEvents(subscriptions: WebhookSubscriptions, tenantId: string): boolean {
  return subscriptions.wantsAny(tenantId, EXECUTION_EVENT_TYPES);
}

/**
 * The webhook events of execution changes, written in the transaction that made them (after the change's own
 * statement): `chat.handoff.requested` when a handoff node ran, one `chat.execution.updated` per change, and
 * `chat.execution.completed` when the change completed it. The payload is read back from the rows just written (one
 * query), so every writer — turn, worker, sweeper, supersede, abort — reports the same shape; `version` orders a
 * receiver's events of one execution. Nothing at all happens for a tenant without such a subscription.
 */
export async function emitExecutionChanges(
  trx: Kysely<Database>,
  subscriptions: WebhookSubscriptions,
  tenantId: string,
  changes: readonly ExecutionChange[],
): Promise<void> {
  if (changes.length === 0 || !wantsExecutionEvents(subscriptions, tenantId)) return;
  const rows = await trx
    .selectFrom('executions as e')
    .innerJoin('conversations as c', 'c.id', 'e.conversation_id')
    .select([
      'e.id',
      'e.conversation_id',
      'e.status',
      'e.version',
      'e.error',
      'e.reason',
      'e.intent_name',
      'e.updated_at',
      'c.customer_id',
    ])
    .where('e.tenant_id', '=', tenantId)
    .where(
      'e.id',
      'in',
      changes.map((c) => c.executionId),
    )
    .execute();
  for (const change of changes) {
    const row = rows.find((r) => r.id === change.executionId);
    if (!row) continue;
    const at = new Date(row.updated_at);
    const common = {
      executionId: row.id,
      conversationId: row.conversation_id,
      customerId: row.customer_id,
      intentName: row.intent_name,
    };
    if (change.handoff) {
      await emitWebhookEvent(trx, subscriptions, {
        tenantId,
        type: 'chat.handoff.requested',
        occurredAt: at,
        data: {
          ...common,
          nodeId: change.handoff.nodeId,
          queue: change.handoff.queue,
          message: change.handoff.message,
          requestedAt: at.toISOString(),
        },
      });
    }
    const error = row.error as { code?: unknown; message?: unknown } | null;
    await emitWebhookEvent(trx, subscriptions, {
      tenantId,
      type: 'chat.execution.updated',
      occurredAt: at,
      data: {
        ...common,
        status: row.status as ExecutionStatus,
        previousStatus: change.previousStatus,
        version: row.version,
        cause: change.cause,
        error: error ? { code: String(error.code), message: String(error.message) } : null,
        reason: row.reason,
        tokenUsage: change.tokenUsage ?? null,
        updatedAt: at.toISOString(),
      },
    });
    if (row.status === 'completed') {
      await emitWebhookEvent(trx, subscriptions, {
        tenantId,
        type: 'chat.execution.completed',
        occurredAt: at,
        data: { ...common, version: row.version, completedAt: at.toISOString() },
      });
    }
  }
}
