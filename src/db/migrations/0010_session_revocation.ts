import { type Kysely, sql } from 'kysely';

// Sessions can be revoked (DESIGN §4) by session, conversation or customer. A revoked conversation can no longer be
// continued with its conversationToken (the token is derived, so it cannot be rotated: the row says no instead).
// Revoking all of a customer's sessions needs them by customer.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table conversations add column revoked_at timestamptz`.execute(db);
  await sql`create index sessions_customer on sessions (tenant_id, customer_id, created_at desc)`.execute(db);
}
