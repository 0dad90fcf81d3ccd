import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';
import type { KeysetPosition } from '../sessions/sessionStore.js';

export interface HistoryFilters {
  customerId?: string;
  intentName?: string;
  status?: string;
  from?: Date;
  to?: Date;
  includeTest?: boolean;
}

/**
 * A tenant's conversations, newest first (keyset on created_at, id), filtered by customer, by an execution's intent
 * or status, and by when the conversation started. The test pane's conversations are left out unless asked for.
 */
export async function searchConversations(
  db: Kysely<Database>,
  tenantId: string,
  filters: HistoryFilters,
  after: KeysetPosition | undefined,
  limit: number,
) {
  let q = db
    .selectFrom('conversations as c')
    .innerJoin('public_keys as k', (j) =>
      j.onRef('k.id', '=', 'c.public_key_id').onRef('k.tenant_id', '=', 'c.tenant_id'),
    )
    .select([
      'c.id',
      'c.customer_id',
      'c.public_key_id',
      'c.created_at',
      'c.updated_at',
      'k.purpose',
      sql<string>`to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_key'),
      (eb) =>
        eb
          .selectFrom('executions as e')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('e.conversation_id', '=', 'c.id')
          .where('e.tenant_id', '=', tenantId)
          .as('executions'),
    ])
    .where('c.tenant_id', '=', tenantId);
  if (!filters.includeTest) q = q.where('k.purpose', '=', 'widget');
  if (filters.customerId !== undefined) q = q.where('c.customer_id', '=', filters.customerId);
  if (filters.from) q = q.where('c.created_at', '>=', filters.from);
  if (filters.to) q = q.where('c.created_at', '<', filters.to);
  if (filters.intentName !== undefined || filters.status !== undefined) {
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('executions as e')
          .select('e.id')
          .whereRef('e.conversation_id', '=', 'c.id')
          .where('e.tenant_id', '=', tenantId)
          .$if(filters.intentName !== undefined, (s) => s.where('e.intent_name', '=', filters.intentName!))
          .$if(filters.status !== undefined, (s) => s.where('e.status', '=', filters.status!)),
      ),
    );
  }
  if (after) q = q.where(sql<boolean>`(c.created_at, c.id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  return q.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(limit).execute();
}
