import { type Kysely, sql } from 'kysely';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import type { JsonObject } from '../engine/types.js';

// The SQL of client telemetry: one statement per batch stores the events (deduped on clientEventId), the goal hits
// of the new ones, and the client conversions of their purchases.

export interface EventRow {
  id: string;
  type: string;
  client_event_id: string | null;
  session_id: string | null;
  conversation_id: string | null;
  anonymous_id: string | null;
  page_type: string | null;
  properties: JsonObject;
  occurred_at: Date;
}

/** A `purchase` event's conversion, already validated and converted to minor units. */
export interface PurchaseRow {
  id: string;
  event_id: string;
  order_id: string;
  amount_minor: number;
  currency: string;
  customer_id: string | null;
}

export interface EventGoalHit {
  eventId: string;
  goalId: string;
  goal: string;
  conversationId: string | null;
}

export interface InsertedEvents {
  /** Ids of the events stored now (the others were already stored: duplicates). */
  inserted: Set<string>;
  hits: EventGoalHit[];
  /** Ids of the client conversions the batch's purchases created (for the `conversion.created` webhook). */
  conversions: string[];
}

/**
 * Stores a batch in ONE statement: a multi-row INSERT … ON CONFLICT (tenant_id, client_event_id) DO NOTHING
 * RETURNING, whose new rows feed — in the same statement — the goal hits (a goal of the event's type whose property
 * filter equals the event's properties, compared as text) and the unverified client conversions of purchases (one
 * per order: a conversion already stored for the order, client or server, is left as it is). Attribution: the
 * event's conversation, and the flow/intent of its most recent execution.
 *
 * The rows travel as one jsonb parameter (jsonb_to_recordset), so the statement's text is the same for every batch
 * size: one prepared statement, not one per size (which would also exhaust the prepared-statement budget).
 */
export async function insertEvents(
  db: Kysely<Database>,
  tenantId: string,
  publicKeyId: string,
  events: EventRow[],
  purchases: PurchaseRow[],
): Promise<InsertedEvents> {
  if (events.length === 0) return { inserted: new Set(), hits: [], conversions: [] };
  const result = await insertEventsStatement(db, {
    tenantId,
    publicKeyId,
    events: json(events),
    purchases: json(purchases),
  });
  const inserted = new Set<string>();
  const hits: EventGoalHit[] = [];
  const conversions: string[] = [];
  for (const row of result) {
    if (row.kind === 'event') inserted.add(row.event_id);
    else if (row.kind === 'conversion') conversions.push(row.event_id);
    else
      hits.push({ eventId: row.event_id, goalId: row.goal_id!, goal: row.goal!, conversationId: row.conversation_id });
  }
  return { inserted, hits, conversions };
}

interface ResultRow {
  kind: 'event' | 'hit' | 'conversion';
  event_id: string;
  goal_id: string | null;
  goal: string | null;
  conversation_id: string | null;
}

async function insertEventsStatement(
  db: Kysely<Database>,
  v: { tenantId: string; publicKeyId: string; events: string; purchases: string },
): Promise<ResultRow[]> {
  const tenant = sql`${v.tenantId}::uuid`;
  const { rows } = await sql<ResultRow>`
    with ins as (
      insert into telemetry_events
        (id, tenant_id, type, client_event_id, public_key_id, session_id, conversation_id, anonymous_id, page_type,
         properties, occurred_at)
      select r.id, ${tenant}, r.type, r.client_event_id, ${v.publicKeyId}::uuid, r.session_id, r.conversation_id,
        r.anonymous_id, r.page_type, r.properties, r.occurred_at
      from jsonb_to_recordset(${v.events}::jsonb) as r (
        id uuid, type text, client_event_id text, session_id uuid, conversation_id uuid, anonymous_id text,
        page_type text, properties jsonb, occurred_at timestamptz
      )
      where true
      on conflict (tenant_id, client_event_id) do nothing
      returning id, type, conversation_id, properties, occurred_at
    ), hits as (
      insert into goal_hits (tenant_id, conversation_id, goal, goal_id, event_id, created_at)
      select ${tenant}, ins.conversation_id, g.key, g.id, ins.id, ins.occurred_at
      from ins join goals g on g.tenant_id = ${tenant} and g.event_type = ins.type
      where not exists (
        select 1 from jsonb_each_text(g.property_filter) f
        where (ins.properties ->> f.key) is distinct from f.value
      )
      returning event_id, goal_id, goal, conversation_id
    ), conv as (
      insert into conversions
        (id, tenant_id, order_id, amount_minor, currency, source, verified, customer_id, conversation_id, flow_id,
         intent_name, event_id, occurred_at)
      select p.id, ${tenant}, p.order_id, p.amount_minor, p.currency, 'client', false, p.customer_id,
        ins.conversation_id, x.flow_id, x.intent_name, ins.id, ins.occurred_at
      from jsonb_to_recordset(${v.purchases}::jsonb) as p (
        id uuid, event_id uuid, order_id text, amount_minor bigint, currency text, customer_id text
      )
      join ins on ins.id = p.event_id
      left join lateral (
        select e.flow_id, e.intent_name from executions e
        where e.conversation_id = ins.conversation_id
        order by e.created_at desc limit 1
      ) x on true
      where true
      on conflict (tenant_id, order_id) do nothing
      returning id
    )
    select 'event' as kind, id as event_id, null::uuid as goal_id, null::text as goal, null::uuid as conversation_id
    from ins
    union all
    select 'hit', event_id, goal_id, goal, conversation_id from hits
    union all
    select 'conversion', id, null, null, null from conv
  `.execute(db);
  return rows;
}
