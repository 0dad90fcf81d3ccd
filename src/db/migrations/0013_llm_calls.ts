import { type Kysely, sql } from 'kysely';

// LLM calls and token spend (DESIGN §6). `llm_calls` keeps every provider call an `llm` node made, keyed by
// (execution, node, wait, attempt) when answered: a duplicate job delivery or a turn conflict finds the stored answer and reuses it
// instead of calling (and billing) again. `llm_prices` holds per-tenant price overrides (the shipped defaults live in
// code, src/llm/defaultPrices.ts). `llm_spend_daily` is the Token spend rollup (UTC day × tenant × flow × model), updated
// in the same transaction as each call row. `executions.turn_usage` is the running sum of the current turn's calls,
// reported as `tokenUsage` on replies, polls and streams; a new turn (trigger, resume) clears it.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  `create table llm_calls (
    id uuid primary key,
    tenant_id uuid not null references tenants (id),
    execution_id uuid not null,
    flow_id uuid not null,
    node_id text not null,
    wait_id uuid not null,
    attempt int not null check (attempt >= 0),
    model text not null,
    prompt_tokens int not null default 0,
    completion_tokens int not null default 0,
    total_tokens int not null default 0,
    cost_micros bigint not null default 0,
    latency_ms int not null default 0,
    outcome text not null check (outcome in ('ok', 'error')),
    error_code text,
    answer text,
    created_at timestamptz not null default now()
  )`,
  // One answered call per key (what a re-run reuses); failed calls are each kept, as they happened.
  `create unique index llm_calls_answered on llm_calls (execution_id, node_id, wait_id, attempt) where outcome = 'ok'`,
  'create index llm_calls_execution on llm_calls (execution_id)',
  'create index llm_calls_tenant on llm_calls (tenant_id, created_at)',
  // A call in flight: a second delivery of the same job waits for its answer instead of calling too. A claim whose
  // time is up (its worker died mid-call) may be taken over.
  `create table llm_call_claims (
    execution_id uuid not null,
    node_id text not null,
    wait_id uuid not null,
    attempt int not null,
    claimed_until timestamptz not null,
    primary key (execution_id, node_id, wait_id, attempt)
  )`,
  `create table llm_prices (
    tenant_id uuid not null references tenants (id),
    model text not null,
    prompt_micros_per_mtok bigint not null check (prompt_micros_per_mtok >= 0),
    completion_micros_per_mtok bigint not null check (completion_micros_per_mtok >= 0),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, model)
  )`,
  `create table llm_spend_daily (
    tenant_id uuid not null references tenants (id),
    day date not null,
    flow_id uuid not null,
    model text not null,
    calls int not null default 0,
    prompt_tokens bigint not null default 0,
    completion_tokens bigint not null default 0,
    total_tokens bigint not null default 0,
    cost_micros bigint not null default 0,
    primary key (tenant_id, day, flow_id, model)
  )`,
  'alter table executions add column turn_usage jsonb',
];
