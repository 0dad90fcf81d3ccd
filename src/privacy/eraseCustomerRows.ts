import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';
import type { CustomerFootprint } from './customerFootprint.js';
import { uuidArray } from './uuidArray.js';

/** What a deletion removed (and, for conversions, kept without the customer). */
export interface ErasedCounts {
  conversations: number;
  sessions: number;
  executions: number;
  transcriptTurns: number;
  formSubmissions: number;
  uploads: number;
  events: number;
  goalHits: number;
  webhookEvents: number;
  /** Kept for revenue totals, with the customer, conversation, order id and metadata removed. */
  conversionsAnonymized: number;
}

/**
 * Removes, inside the caller's transaction, every row that holds the customer's data: directly (customer_id) or
 * through one of their conversations, sessions, executions or form submissions; the webhook outbox (deliveries and
 * their log go with each event) and stored idempotent answers that carry any of those ids. Uploaded bytes are not
 * removed here (the blob store may sit outside the database): their names go to `blob_purges` in this transaction
 * and are returned, for the caller to remove after the commit.
 * Conversions stay, anonymized, so revenue totals hold; the order id goes too, since it leads back to the customer.
 */
export async function eraseCustomerRows(
  trx: Kysely<Database>,
  tenantId: string,
  customerId: string,
  f: CustomerFootprint,
): Promise<{ counts: ErasedCounts; blobs: { tenant_id: string; storage_name: string }[] }> {
  const tenant = sql`${tenantId}::uuid`;
  const conversations = uuidArray(f.conversationIds);
  const sessions = uuidArray(f.sessionIds);
  const executions = uuidArray(f.executions.map((e) => e.id));
  const submissions = uuidArray(f.submissionIds);
  const count = async (query: ReturnType<typeof sql>) => Number((await query.execute(trx)).numAffectedRows ?? 0);

  const uploads = await sql<{ tenant_id: string; storage_name: string }>`
    with gone as (
      delete from uploads where tenant_id = ${tenant} and (conversation_id = any(${conversations})
        or execution_id = any(${executions}) or submission_id = any(${submissions}))
      returning tenant_id, storage_name
    ), queued as (
      insert into blob_purges (tenant_id, storage_name) select tenant_id, storage_name from gone
      on conflict do nothing
    )
    select tenant_id, storage_name from gone`.execute(trx);
  await sql`delete from llm_call_claims where execution_id = any(${executions})`.execute(trx);
  await sql`delete from llm_calls where tenant_id = ${tenant} and execution_id = any(${executions})`.execute(trx);
  const transcriptTurns = await count(
    sql`delete from chat_turns where tenant_id = ${tenant} and conversation_id = any(${conversations})`,
  );
  const eventIds = sql`(select id from telemetry_events where tenant_id = ${tenant}
    and (session_id = any(${sessions}) or conversation_id = any(${conversations})))`;
  // A hit needs its execution or its event (a check constraint): with both gone it cannot stay anonymized.
  const goalHits = await count(sql`delete from goal_hits where tenant_id = ${tenant} and
    (conversation_id = any(${conversations}) or execution_id = any(${executions}) or event_id in ${eventIds})`);
  const conversionsAnonymized = await count(sql`
    update conversions set customer_id = null, conversation_id = null, event_id = null, metadata = '{}'::jsonb,
      order_id = 'erased:' || id::text, updated_at = now()
    where tenant_id = ${tenant} and (customer_id = ${customerId} or conversation_id = any(${conversations}))`);
  const events = await count(sql`delete from telemetry_events where tenant_id = ${tenant}
    and (session_id = any(${sessions}) or conversation_id = any(${conversations}))`);
  // Every webhook payload about a customer names them or one of these ids at the top of `data`.
  const webhookEvents = await count(sql`
    delete from webhook_events where tenant_id = ${tenant} and (
      payload->'data'->>'customerId' = ${customerId}
      or payload->'data'->>'conversationId' = any(${conversations}::text[])
      or payload->'data'->>'sessionId' = any(${sessions}::text[])
      or payload->'data'->>'executionId' = any(${executions}::text[])
      or payload->'data'->>'submissionId' = any(${submissions}::text[]))`);
  // Idempotent answers replay what a request got: a session's own, and any other that names one of the ids.
  const ids = uuidArray([...f.conversationIds, ...f.sessionIds, ...f.executions.map((e) => e.id), ...f.submissionIds]);
  await sql`
    delete from idempotency_keys where tenant_id = ${tenant} and (
      split_part(caller, ':', 1) = 'session' and split_part(caller, ':', 2) = any(${ids}::text[])
      or response->>'customerId' = ${customerId}
      or exists (select 1 from unnest(${ids}::text[]) as i where strpos(response::text, i) > 0))`.execute(trx);
  const executionCount = await count(
    sql`delete from executions where tenant_id = ${tenant} and conversation_id = any(${conversations})`,
  );
  const sessionCount = await count(sql`delete from sessions where tenant_id = ${tenant} and id = any(${sessions})`);
  const conversationCount = await count(
    sql`delete from conversations where tenant_id = ${tenant} and id = any(${conversations})`,
  );
  const formSubmissions = await count(
    sql`delete from form_submissions where tenant_id = ${tenant} and id = any(${submissions})`,
  );
  // Analytics marks naming the conversations (left by the writes above, or pending): their rows are gone, so the marks
  // would recompute nothing; the rollups keep anonymous counts until analytics:rebuild.
  await sql`delete from analytics_dirty where tenant_id = ${tenant} and conversation_id = any(${conversations})`.execute(
    trx,
  );
  const counts: ErasedCounts = {
    conversations: conversationCount,
    sessions: sessionCount,
    executions: executionCount,
    transcriptTurns,
    formSubmissions,
    uploads: uploads.rows.length,
    events,
    goalHits,
    webhookEvents,
    conversionsAnonymized,
  };
  return { counts, blobs: uploads.rows };
}
