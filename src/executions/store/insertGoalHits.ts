import type { Insertable, Kysely } from 'kysely';
import type { Database, GoalHitsTable } from '../../db/types.js';

/** Goal hits of a step, written in the turn's transaction. */
export async function insertGoalHits(db: Kysely<Database>, hits: Insertable<GoalHitsTable>[]): Promise<void> {
  await db.insertInto('goal_hits').values(hits).execute();
}
