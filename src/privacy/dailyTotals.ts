import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';

/**
 * A tenant's per-UTC-day totals of a metric that retention thins out, raw rows and `retained_counts` together, so a
 * period's total is the same before and after retention ran. Analytics reads these totals through this (or its SQL).
 */
export async function dailyTotals(
  db: Kysely<Database>,
  tenantId: string,
  metric: 'telemetry_events' | 'chat_turns' | 'user_messages',
): Promise<Map<string, number>> {
  const raw =
    metric === 'telemetry_events'
      ? sql`select (occurred_at at time zone 'UTC')::date as day, count(*) as n from telemetry_events
          where tenant_id = ${tenantId}::uuid group by 1`
      : metric === 'chat_turns'
        ? sql`select (created_at at time zone 'UTC')::date as day, count(*) as n from chat_turns
            where tenant_id = ${tenantId}::uuid group by 1`
        : sql`select (t.created_at at time zone 'UTC')::date as day, count(*) as n
            from chat_turns t cross join lateral jsonb_array_elements(t.items) i
            where t.tenant_id = ${tenantId}::uuid and i->>'role' = 'user' group by 1`;
  const rows = await sql<{ day: string; n: string | number }>`
    select to_char(day, 'YYYY-MM-DD') as day, sum(n) as n from (
      ${raw}
      union all
      select day, count as n from retained_counts where tenant_id = ${tenantId}::uuid and metric = ${metric}
    ) as all_rows group by 1 order by 1`.execute(db);
  return new Map(rows.rows.map((r) => [r.day, Number(r.n)]));
}
