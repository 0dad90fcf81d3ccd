import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { ExecutionStatus } from '../engine/types.js';
import type { WebhookEventType, WebhookTokenUsage } from '../wire/webhookSchemas.js';
import { emitWebhookEvent, type WebhookEventInput } from './emitWebhookEvent.js';
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
   * The LLM tokens of the turn that made this change, summed over the turn (advanceExecution's `turnUsage`); null
   * when no LLM ran in it.
   */
  tokenUsage?: WebhookTokenUsage | null;
  /** Set when a `handoff` node ran in this turn. */
  handoff?: { nodeId: string; queue: string | null; message: string | null } | undefined;
}

/** Whether the tenant subscribed to any execution event: only then does a turn pay for a transaction and a read. */
export function wantsExecutionEvents(subscriptions: WebhookSubscriptions, tenantId: string): boolean {
  return subscriptions.wantsAny(tenantId, EXECUTION_EVENT_TYPES);
}

/** An execution as a change left it: what its events carry. */
export interface ExecutionSnapshot {
  executionId: string;
  conversationId: string;
  customerId: string;
  intentName: string;
  status: ExecutionStatus;
  version: number;
  error: unknown;
  reason: string | null;
  at: Date;
}

/**
 * The webhook events of one execution change: `chat.handoff.requested` when a handoff node ran, one
 * `chat.execution.updated`, and `chat.execution.completed` when the change completed it. Every writer — turn, worker,
 * sweeper, supersede, abort — builds them here, so they all report the same shape; `version` orders a receiver's
 * events of one execution.
 */
export function executionEvents(
  tenantId: string,
  change: ExecutionChange,
  s: ExecutionSnapshot,
): WebhookEventInput<WebhookEventType>[] {
  const common = {
    executionId: s.executionId,
    conversationId: s.conversationId,
    customerId: s.customerId,
    intentName: s.intentName,
  };
  const at = s.at.toISOString();
  const events: WebhookEventInput<WebhookEventType>[] = [];
  if (change.handoff) {
    const { nodeId, queue, message } = change.handoff;
    events.push({
      tenantId,
      type: 'chat.handoff.requested',
      occurredAt: s.at,
      data: { ...common, nodeId, queue, message, requestedAt: at },
    });
  }
  const error = s.error as { code?: unknown; message?: unknown } | null;
  events.push({
    tenantId,
    type: 'chat.execution.updated',
    occurredAt: s.at,
    data: {
      ...common,
      status: s.status,
      previousStatus: change.previousStatus,
      version: s.version,
      cause: change.cause,
      error: error ? { code: String(error.code), message: String(error.message) } : null,
      reason: s.reason,
      tokenUsage: change.tokenUsage ?? null,
      updatedAt: at,
    },
  });
  if (s.status === 'completed') {
    events.push({
      tenantId,
      type: 'chat.execution.completed',
      occurredAt: s.at,
      data: { ...common, version: s.version, completedAt: at },
    });
  }
  return events;
}

/**
 * The webhook events of execution changes made outside a chat turn's own statement (the sweeper, a supersede, an
 * Engine API abort), in the transaction that made them, after the change: the executions are read back (one query)
 * and each change's events written. Nothing at all happens for a tenant without such a subscription.
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
    const events = executionEvents(tenantId, change, {
      executionId: row.id,
      conversationId: row.conversation_id,
      customerId: row.customer_id,
      intentName: row.intent_name,
      status: row.status as ExecutionStatus,
      version: row.version,
      error: row.error,
      reason: row.reason,
      at: new Date(row.updated_at),
    });
    for (const event of events) await emitWebhookEvent(trx, subscriptions, event);
  }
}
