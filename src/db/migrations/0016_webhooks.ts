import { type Kysely, sql } from 'kysely';

// Webhooks (DESIGN §11). An endpoint's signing secret is kept encrypted (AES-256-GCM under a key derived from the
// master key, bound to the tenant and endpoint): it must be read back to sign, so it cannot be hashed.
//
// The outbox: one `webhook_events` row per event (its id is the Standard Webhooks `webhook-id`), written in the
// transaction of the change it reports, and one `webhook_deliveries` row per subscribed endpoint. The change's
// transaction enqueues no job (on PostgreSQL a job's NOTIFY would serialise every turn's commit): the worker's relay
// turns unqueued deliveries into jobs (`queued`) in batches. A delivery's status moves
// pending → sending → succeeded | pending (retry) | failed, each step conditional on the status and attempt count it
// expects. `webhook_attempts` is the delivery log: one row per attempt (request, response code, latency) and notes
// such as `webhook.disabled`.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  `create table webhook_endpoints (
    id uuid primary key,
    tenant_id uuid not null references tenants (id),
    url text not null,
    event_types jsonb not null check (jsonb_typeof(event_types) = 'array'),
    secret_ciphertext text not null,
    description text,
    enabled boolean not null default true,
    disabled_reason text,
    disabled_at timestamptz,
    last_success_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  'create index webhook_endpoints_tenant on webhook_endpoints (tenant_id, created_at)',
  `create table webhook_events (
    id uuid primary key,
    seq bigint generated always as identity,
    tenant_id uuid not null references tenants (id),
    type text not null,
    payload jsonb not null,
    created_at timestamptz not null default now()
  )`,
  'create index webhook_events_tenant on webhook_events (tenant_id, seq)',
  `create table webhook_deliveries (
    id uuid primary key,
    tenant_id uuid not null references tenants (id),
    endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
    event_id uuid not null references webhook_events (id) on delete cascade,
    redelivery_of uuid,
    status text not null default 'pending'
      check (status in ('pending', 'sending', 'succeeded', 'failed', 'cancelled')),
    attempts int not null default 0,
    queued boolean not null default false,
    next_attempt_at timestamptz not null,
    locked_until timestamptz,
    last_response_status int,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    completed_at timestamptz
  )`,
  'create index webhook_deliveries_endpoint on webhook_deliveries (tenant_id, endpoint_id, created_at desc)',
  'create index webhook_deliveries_event on webhook_deliveries (event_id)',
  // The relay's look for new deliveries that have no job yet.
  "create index webhook_deliveries_unqueued on webhook_deliveries (created_at) where status = 'pending' and not queued",
  // The sweeper's look for deliveries whose job was lost.
  "create index webhook_deliveries_open on webhook_deliveries (next_attempt_at) where status in ('pending', 'sending')",
  `create table webhook_attempts (
    id bigint generated always as identity primary key,
    tenant_id uuid not null references tenants (id),
    delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
    endpoint_id uuid not null,
    kind text not null check (kind in ('attempt', 'note')),
    attempt int not null,
    outcome text not null,
    scheduled_at timestamptz,
    started_at timestamptz not null,
    request jsonb,
    response_status int,
    response_excerpt text,
    latency_ms int,
    error text,
    next_attempt_at timestamptz
  )`,
  'create index webhook_attempts_delivery on webhook_attempts (delivery_id, id)',
];
