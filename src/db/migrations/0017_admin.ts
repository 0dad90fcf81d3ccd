import { type Kysely, sql } from 'kysely';

// Admin users, their sessions and the audit log (DESIGN §16). A password is kept only as its scrypt hash; a session
// cookie only as its SHA-256, so a copy of the database logs no one in. An account's failed logins are counted on
// its row, which locks it for a while (`locked_until`) after too many. The audit log keeps who changed what and a
// digest of the thing before and after, never the thing itself (it may hold secrets or a customer's data).
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  `create table admin_users (
    id uuid primary key,
    tenant_id uuid not null references tenants (id),
    email text not null check (email = lower(email)),
    role text not null check (role in ('owner', 'editor', 'viewer')),
    password_hash text not null,
    failed_logins int not null default 0,
    locked_until timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  // One login per address: the login form asks for no tenant.
  'create unique index admin_users_email on admin_users (email)',
  'create index admin_users_tenant on admin_users (tenant_id, email)',
  `create table admin_sessions (
    id uuid primary key,
    tenant_id uuid not null references tenants (id),
    user_id uuid not null references admin_users (id) on delete cascade,
    token_hash text not null unique,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  'create index admin_sessions_user on admin_sessions (user_id)',
  `create table audit_log (
    id bigint generated always as identity primary key,
    tenant_id uuid not null references tenants (id),
    actor text not null,
    action text not null,
    target text not null,
    before_digest text,
    after_digest text,
    created_at timestamptz not null default now()
  )`,
  'create index audit_log_tenant on audit_log (tenant_id, id desc)',
  'alter table flow_versions add column test boolean not null default false',
  'alter table flow_versions drop constraint flow_versions_flow_id_version_key',
  'create unique index flow_versions_number on flow_versions (flow_id, version) where not test',
  'alter table sessions add column test_version_id uuid references flow_versions (id)',
  'alter table executions add column test boolean not null default false',
  "alter table public_keys add column purpose text not null default 'widget' check (purpose in ('widget', 'test_pane'))",
  "create unique index public_keys_test_pane on public_keys (tenant_id) where purpose = 'test_pane'",
];
