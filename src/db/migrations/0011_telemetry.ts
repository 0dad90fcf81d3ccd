import { type Kysely, sql } from 'kysely';

// Telemetry, goals and conversions (DESIGN §10).
//
// - telemetry_events: client events, written for volume — one multi-row INSERT per batch. No foreign keys: every id
//   in a row comes from a verified credential (session or public key), and a key lookup per row would be paid on the
//   hottest insert path. `client_event_id` dedupes per tenant (a retried batch never double-counts); NULLs are
//   distinct, so events without one are never deduped. `page_type` is the analytics dimension (§13), a column.
// - goals: per tenant, reached by an event type with an optional equality filter on properties (text comparison), or
//   by a flow's `goal` node naming the goal's key.
// - goal_hits: a hit now comes from an execution's goal node (execution_id, node_id) or from an event (event_id);
//   goal_id links it to the defined goal when one with that key exists (the key text is kept either way). Anonymous
//   events (public key + anonymousId) have no conversation, so conversation_id becomes nullable too.
// - conversions: one per (tenant, order_id) across client `purchase` events (unverified) and server reports
//   (verified, replacing a client one). Amounts are integer minor units of their currency, never summed across
//   currencies. Attributed to a conversation (nullable) and the flow/intent of its most recent execution.
// - tenants.attribution_window_days: how far back a conversion looks for the customer's conversation (default 7).
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of script.split(/;\s*\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const script = `
    alter table tenants add column attribution_window_days integer not null default 7
      check (attribution_window_days between 0 and 365);

    create table telemetry_events (
      id uuid primary key,
      tenant_id uuid not null,
      type text not null,
      client_event_id text,
      public_key_id uuid not null,
      session_id uuid,
      conversation_id uuid,
      anonymous_id text,
      page_type text,
      properties jsonb not null default '{}',
      occurred_at timestamptz not null,
      received_at timestamptz not null default now()
    );
    create unique index telemetry_events_client_id on telemetry_events (tenant_id, client_event_id);
    create index telemetry_events_tenant_time on telemetry_events (tenant_id, occurred_at);
    create index telemetry_events_conversation on telemetry_events (conversation_id) where conversation_id is not null;

    create table goals (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      key text not null check (key ~ '^[a-z][a-z0-9_]{0,63}$'),
      name text not null,
      event_type text,
      property_filter jsonb not null default '{}',
      created_at timestamptz not null default now(),
      unique (tenant_id, key)
    );
    create index goals_event_type on goals (tenant_id, event_type) where event_type is not null;

    alter table goal_hits alter column execution_id drop not null;
    alter table goal_hits alter column node_id drop not null;
    alter table goal_hits alter column conversation_id drop not null;
    alter table goal_hits add column goal_id uuid references goals(id) on delete set null;
    alter table goal_hits add column event_id uuid;
    alter table goal_hits add constraint goal_hits_source check (execution_id is not null or event_id is not null);
    create unique index goal_hits_event on goal_hits (event_id, goal_id) where event_id is not null;
    create index goal_hits_conversation on goal_hits (conversation_id) where conversation_id is not null;

    create table conversions (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      order_id text not null,
      amount_minor bigint not null check (amount_minor >= 0),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      source text not null check (source in ('client', 'server')),
      verified boolean not null,
      customer_id text,
      conversation_id uuid references conversations(id),
      flow_id uuid,
      intent_name text,
      event_id uuid,
      metadata jsonb not null default '{}',
      occurred_at timestamptz not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (tenant_id, order_id)
    );
    create index conversions_tenant_time on conversions (tenant_id, occurred_at);
    create index conversions_conversation on conversions (conversation_id) where conversation_id is not null;
`;
