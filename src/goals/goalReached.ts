import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';

/** A goal hit as the `goal.reached` webhook will carry it. */
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
}

/**
 * SEAM for the `goal.reached` webhook (DESIGN §11), which does not exist yet: called with every goal hit, with the
 * database handle (or transaction) that wrote the hits, so the webhooks issue can write its outbox rows here in the
 * same transaction. Today it does nothing — a tenant without webhooks must pay nothing per hit.
 */
export async function goalReached(_db: Kysely<Database>, _hits: readonly GoalReached[]): Promise<void> {
  // Intentionally empty until webhooks land.
}
