import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';

/** The rows that tie data to one customer: every other row of theirs hangs off one of these ids. */
export interface CustomerFootprint {
  conversationIds: string[];
  sessionIds: string[];
  executions: { id: string; status: string; wait_id: string | null }[];
  submissionIds: string[];
  /** Conversions reported with the customer's id but no conversation of theirs. */
  conversions: number;
}

/**
 * Reads a customer's footprint. With `lock` (inside the deletion's transaction), the conversations are locked first:
 * a turn or a new session cannot add an execution or a session to them until the deletion commits.
 */
export async function customerFootprint(
  db: Kysely<Database>,
  tenantId: string,
  customerId: string,
  options: { lock?: boolean } = {},
): Promise<CustomerFootprint> {
  const conversationIds = (
    await sql<{ id: string }>`
      select id from conversations where tenant_id = ${tenantId}::uuid and customer_id = ${customerId}
      order by id ${options.lock ? sql`for update` : sql``}`.execute(db)
  ).rows.map((r) => r.id);
  const sessions = await db
    .selectFrom('sessions')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      conversationIds.length > 0
        ? eb.or([eb('customer_id', '=', customerId), eb('conversation_id', 'in', conversationIds)])
        : eb('customer_id', '=', customerId),
    )
    .execute();
  const executions =
    conversationIds.length > 0
      ? await db
          .selectFrom('executions')
          .select(['id', 'status', 'wait_id'])
          .where('tenant_id', '=', tenantId)
          .where('conversation_id', 'in', conversationIds)
          .execute()
      : [];
  const submissions = await db
    .selectFrom('form_submissions')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .execute();
  const conversions = await db
    .selectFrom('conversions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .executeTakeFirstOrThrow();
  return {
    conversationIds,
    sessionIds: sessions.map((s) => s.id),
    executions,
    submissionIds: submissions.map((s) => s.id),
    conversions: Number(conversions.n),
  };
}

export function isEmptyFootprint(f: CustomerFootprint): boolean {
  return f.conversationIds.length + f.sessionIds.length + f.submissionIds.length + f.conversions === 0;
}
