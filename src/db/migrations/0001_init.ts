import { type Kysely, sql } from 'kysely';

// One SQL script for PostgreSQL 15+ and PGlite (PG 18): nothing newer than PG 15, no uuidv7() (ids come from the app).
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query, so the script runs statement by statement.
  for (const statement of script.split(/;\s*\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const script = `
    create table tenants (
      id uuid primary key,
      slug text not null unique,
      name text not null,
      created_at timestamptz not null default now()
    );

    create table flows (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      intent_name text not null,
      description text not null default '',
      examples jsonb not null default '[]',
      required_entities jsonb not null default '[]',
      draft jsonb not null,
      published_version_id uuid,
      latest_version integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (tenant_id, intent_name)
    );
    create index flows_published on flows (tenant_id, intent_name) where published_version_id is not null;

    create table flow_versions (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      flow_id uuid not null references flows(id),
      version integer not null,
      definition jsonb not null,
      created_at timestamptz not null default now(),
      unique (flow_id, version)
    );

    create table public_keys (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      key text not null unique,
      label text not null,
      widget_label text,
      allowed_origins jsonb not null default '[]',
      allowed_intents jsonb not null default '[]',
      allows_all_intents boolean not null default false,
      allowed_forms jsonb not null default '[]',
      allows_all_forms boolean not null default false,
      allow_server_side boolean not null default false,
      session_ttl_seconds integer not null default 86400,
      status text not null default 'active' check (status in ('active', 'revoked')),
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      check (not (allows_all_intents and jsonb_array_length(allowed_intents) > 0))
    );
    create index public_keys_tenant on public_keys (tenant_id);

    create table conversations (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      public_key_id uuid not null references public_keys(id),
      customer_id text not null,
      variables jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index conversations_customer on conversations (tenant_id, customer_id, created_at desc);

    create table sessions (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      public_key_id uuid not null references public_keys(id),
      conversation_id uuid not null references conversations(id),
      customer_id text not null,
      origin text,
      locale text,
      expires_at timestamptz not null,
      revoked_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index sessions_conversation on sessions (conversation_id);

    create table executions (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      conversation_id uuid not null references conversations(id),
      session_id uuid not null references sessions(id),
      flow_id uuid not null references flows(id),
      flow_version_id uuid not null references flow_versions(id),
      intent_name text not null,
      status text not null check (status in ('running', 'waiting_input', 'waiting_time', 'completed', 'failed', 'aborted')),
      version integer not null default 1,
      state jsonb not null,
      last_seq integer not null default 0,
      wait_id uuid,
      wait_expires_at timestamptz,
      error jsonb,
      reason text,
      trace jsonb not null default '[]',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      ended_at timestamptz
    );
    create index executions_conversation on executions (conversation_id, created_at desc);
    create index executions_open on executions (conversation_id)
      where status in ('running', 'waiting_input', 'waiting_time');
    create index executions_wait_expiry on executions (wait_expires_at) where status = 'waiting_input';

    create table waits (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      execution_id uuid not null references executions(id),
      node_id text not null,
      kind text not null check (kind in ('input', 'time')),
      status text not null check (status in ('open', 'claimed', 'cancelled', 'expired')),
      fields jsonb not null default '[]',
      submit_label text,
      expires_at timestamptz,
      created_at timestamptz not null default now(),
      claimed_at timestamptz
    );
    create index waits_execution on waits (execution_id);

    create table chat_items (
      id bigint generated always as identity primary key,
      tenant_id uuid not null references tenants(id),
      conversation_id uuid not null references conversations(id),
      execution_id uuid references executions(id),
      seq integer,
      role text not null check (role in ('user', 'bot')),
      body jsonb not null,
      created_at timestamptz not null default now()
    );
    create index chat_items_conversation on chat_items (conversation_id, id);
    create unique index chat_items_execution_seq on chat_items (execution_id, seq) where seq is not null;

    create table idempotency_keys (
      tenant_id uuid not null,
      caller text not null,
      route text not null,
      key text not null,
      body_hash text not null,
      state text not null check (state in ('in_progress', 'done')),
      status_code integer,
      response jsonb,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      primary key (tenant_id, caller, route, key)
    );
    create index idempotency_keys_expiry on idempotency_keys (expires_at);

    create table goal_hits (
      id bigint generated always as identity primary key,
      tenant_id uuid not null references tenants(id),
      conversation_id uuid not null references conversations(id),
      execution_id uuid not null references executions(id),
      goal text not null,
      node_id text not null,
      created_at timestamptz not null default now()
    );
    create index goal_hits_tenant on goal_hits (tenant_id, created_at);
`;
