import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';

/** What the tenant's LLM calls cost since 00:00 UTC today, in micro-USD (llm_calls_tenant index). */
export async function dailyLlmSpend(db: Kysely<Database>, tenantId: string, now: Date): Promise<number> {
  const midnight = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const row = await db
    .selectFrom('llm_calls')
    .select(sql<string>`coalesce(sum(cost_micros), 0)`.as('spent'))
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>=', midnight)
    .executeTakeFirstOrThrow();
  return Number(row.spent);
}
