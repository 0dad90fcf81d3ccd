import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { emitWebhookEvent } from '../webhooks/emitWebhookEvent.js';
import type { WebhookSubscriptions } from '../webhooks/WebhookSubscriptions.js';

/** A goal hit as the `goal.reached` webhook carries it. */
export interface GoalReached {
  tenantId: string;
  /** The goal's key, and the defined goal's id when one exists (goal nodes may name undefined goals). */
  goal: string;
  goalId: string | null;
  conversationId: string | null;
  /** What reached it: a telemetry event or an execution's goal node. */
  eventId?: string;
  executionId?: string;
  nodeId?: string;
  /** Default: now. */
  reachedAt?: Date;
}

/**
 * Called with every goal hit, with the database handle (or transaction) that wrote the hits: the `goal.reached`
 * webhook event goes to the outbox in that same transaction. A tenant without a `goal.reached` subscription pays
 * nothing (no query, no row).
 */
export async function goalReached(
  db: Kysely<Database>,
  webhooks: WebhookSubscriptions,
  hits: readonly GoalReached[],
): Promise<void> {
  for (const hit of hits) {
    if (webhooks.endpointsFor(hit.tenantId, 'goal.reached').length === 0) continue;
    const at = hit.reachedAt ?? new Date();
    await emitWebhookEvent(db, webhooks, {
      tenantId: hit.tenantId,
      type: 'goal.reached',
      occurredAt: at,
      data: {
        goal: hit.goal,
        goalId: hit.goalId,
        conversationId: hit.conversationId,
        executionId: hit.executionId ?? null,
        nodeId: hit.nodeId ?? null,
        eventId: hit.eventId ?? null,
        reachedAt: at.toISOString(),
      },
    });
  }
}
