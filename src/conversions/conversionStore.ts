import { type Kysely, sql } from 'kysely';
import { json } from '../db/json.js';
import type { Conversion, Database } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';

// The SQL of conversions: one row per (tenant, order_id). Client purchases are written by the telemetry statement
// (src/telemetry/telemetryStore.ts); server reports here.

export interface Attribution {
  conversation_id: string | null;
  customer_id: string | null;
  flow_id: string | null;
  intent_name: string | null;
}

/**
 * The customer's most recent conversation within the window: the conversation of their latest session opened in
 * [occurredAt − window days, occurredAt] (sessions, not conversations, because a conversation continued in a new
 * session is recent again), with the flow and intent of that conversation's most recent execution.
 */
export async function attributeToCustomer(
  db: Kysely<Database>,
  tenantId: string,
  customerId: string,
  occurredAt: Date,
): Promise<Attribution> {
  const at = occurredAt.toISOString();
  const { rows } = await sql<Attribution>`
    select s.conversation_id, s.customer_id, x.flow_id, x.intent_name
    from tenants t
    join lateral (
      select cs.conversation_id, cs.customer_id from sessions cs
      where cs.tenant_id = t.id and cs.customer_id = ${customerId}
        and cs.created_at <= ${at}::timestamptz
        and cs.created_at >= ${at}::timestamptz - make_interval(days => t.attribution_window_days)
      order by cs.created_at desc limit 1
    ) s on true
    left join lateral (
      select e.flow_id, e.intent_name from executions e
      where e.conversation_id = s.conversation_id
      order by e.created_at desc limit 1
    ) x on true
    where t.id = ${tenantId}::uuid
  `.execute(db);
  return rows[0] ?? { conversation_id: null, customer_id: customerId, flow_id: null, intent_name: null };
}

/** A conversation of the tenant given by id, with its customer and most recent execution's flow/intent. */
export async function attributeToConversation(
  db: Kysely<Database>,
  tenantId: string,
  conversationId: string,
): Promise<Attribution | undefined> {
  const { rows } = await sql<Attribution>`
    select c.id as conversation_id, c.customer_id, x.flow_id, x.intent_name
    from conversations c
    left join lateral (
      select e.flow_id, e.intent_name from executions e
      where e.conversation_id = c.id
      order by e.created_at desc limit 1
    ) x on true
    where c.id = ${conversationId}::uuid and c.tenant_id = ${tenantId}::uuid
  `.execute(db);
  return rows[0];
}

export interface ServerConversion extends Attribution {
  id: string;
  tenant_id: string;
  order_id: string;
  amount_minor: number;
  currency: string;
  metadata: JsonObject;
  occurred_at: Date;
}

/**
 * Writes a server-reported (verified) conversion: new, or replacing the order's unverified client one (which keeps
 * its id and its event link). An order a server already reported is left as it is, and its first result returned
 * (`created: false`).
 */
export async function upsertServerConversion(
  db: Kysely<Database>,
  c: ServerConversion,
): Promise<{ conversion: Conversion; created: boolean; replacedClient: boolean }> {
  const written = await db
    .insertInto('conversions')
    .values({
      id: c.id,
      tenant_id: c.tenant_id,
      order_id: c.order_id,
      amount_minor: c.amount_minor,
      currency: c.currency,
      source: 'server',
      verified: true,
      customer_id: c.customer_id,
      conversation_id: c.conversation_id,
      flow_id: c.flow_id,
      intent_name: c.intent_name,
      metadata: json(c.metadata),
      occurred_at: c.occurred_at,
    })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'order_id'])
        .doUpdateSet((eb) => ({
          amount_minor: eb.ref('excluded.amount_minor'),
          currency: eb.ref('excluded.currency'),
          source: eb.ref('excluded.source'),
          verified: eb.ref('excluded.verified'),
          customer_id: eb.ref('excluded.customer_id'),
          conversation_id: eb.ref('excluded.conversation_id'),
          flow_id: eb.ref('excluded.flow_id'),
          intent_name: eb.ref('excluded.intent_name'),
          metadata: eb.ref('excluded.metadata'),
          occurred_at: eb.ref('excluded.occurred_at'),
          updated_at: sql`now()`,
        }))
        .where('conversions.source', '=', 'client'),
    )
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirst();
  if (written) {
    const { inserted, ...conversion } = written;
    return { conversion, created: true, replacedClient: !inserted };
  }
  const first = await db
    .selectFrom('conversions')
    .selectAll()
    .where('tenant_id', '=', c.tenant_id)
    .where('order_id', '=', c.order_id)
    .executeTakeFirstOrThrow();
  return { conversion: first, created: false, replacedClient: false };
}

export async function findConversion(
  db: Kysely<Database>,
  tenantId: string,
  orderId: string,
): Promise<Conversion | undefined> {
  return db
    .selectFrom('conversions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('order_id', '=', orderId)
    .executeTakeFirst();
}
