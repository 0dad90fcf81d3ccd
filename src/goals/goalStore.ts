import type { Kysely } from 'kysely';
import { json } from '../db/json.js';
import type { Database, Goal } from '../db/types.js';

// The SQL of goals. Goal hits are written where they happen: with a turn (src/executions/store/insertGoalHits.ts)
// or with the events that reach them (src/telemetry/telemetryStore.ts).

export async function insertGoal(
  db: Kysely<Database>,
  goal: Pick<Goal, 'id' | 'tenant_id' | 'key' | 'name' | 'event_type' | 'property_filter'>,
): Promise<Goal | undefined> {
  return db
    .insertInto('goals')
    .values({ ...goal, property_filter: json(goal.property_filter) })
    .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function listGoals(db: Kysely<Database>, tenantId: string): Promise<Goal[]> {
  return db.selectFrom('goals').selectAll().where('tenant_id', '=', tenantId).orderBy('key').execute();
}

/** Deletes a goal; its hits stay (with their key), unlinked from it. */
export async function deleteGoal(db: Kysely<Database>, tenantId: string, key: string): Promise<Goal | undefined> {
  return db
    .deleteFrom('goals')
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .returningAll()
    .executeTakeFirst();
}

/** How many times each goal was reached in a tenant (by its key), for the CLI listing. */
export async function goalHitCounts(db: Kysely<Database>, tenantId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('goal_hits')
    .select(['goal', (eb) => eb.fn.countAll<number>().as('hits')])
    .where('tenant_id', '=', tenantId)
    .groupBy('goal')
    .execute();
  return new Map(rows.map((r) => [r.goal, Number(r.hits)]));
}
