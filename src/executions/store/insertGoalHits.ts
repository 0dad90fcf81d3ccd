import { type Insertable, type Kysely, sql } from 'kysely';
import type { Database, GoalHitsTable } from '../../db/types.js';
import { goalReached } from '../../goals/goalReached.js';
import type { WebhookSubscriptions } from '../../webhooks/WebhookSubscriptions.js';

/**
 * Goal hits of a step, written in the turn's transaction. A hit names its goal by key (the goal node's `goal`); when
 * the tenant defined a goal with that key, the hit links to it (goal_id) in the same statement. A key with no
 * defined goal is still recorded, with goal_id null: flows may reach goals before anyone defines them, and the
 * goal's later definition counts them by key.
 */
export async function insertGoalHits(
  db: Kysely<Database>,
  webhooks: WebhookSubscriptions,
  hits: Omit<Insertable<GoalHitsTable>, 'goal_id'>[],
): Promise<void> {
  const rows = await db
    .insertInto('goal_hits')
    .values(
      hits.map((hit) => ({
        ...hit,
        goal_id: sql<
          string | null
        >`(select g.id from goals g where g.tenant_id = ${hit.tenant_id} and g.key = ${hit.goal})`,
      })),
    )
    .returning(['tenant_id', 'goal', 'goal_id', 'conversation_id', 'execution_id', 'node_id', 'created_at'])
    .execute();
  await goalReached(
    db,
    webhooks,
    rows.map((r) => ({
      tenantId: r.tenant_id,
      goal: r.goal,
      goalId: r.goal_id,
      conversationId: r.conversation_id,
      ...(r.execution_id ? { executionId: r.execution_id } : {}),
      ...(r.node_id ? { nodeId: r.node_id } : {}),
      reachedAt: new Date(r.created_at),
    })),
  );
}
