import { type Kysely, sql } from 'kysely';

// Secret keys (DESIGN §3, §14): server-side credentials of the Engine API (and later MCP). Only the SHA-256 of the
// key is kept: a key is 160 random bits, so a fast hash is enough (no dictionary to guess from) and lets the key be
// found by an index lookup on its hash instead of comparing secrets. `prefix` (`sk_live_` + 4 hex) lets an operator
// tell keys apart in `secret-key:list` without the key being stored. `last_used_at` is updated at most about once a
// minute per key (the auth step only writes when the stored value is older).
//
// The Engine API walks a customer's sessions newest first with a keyset cursor on (created_at, id): `id` joins the
// index so that page reads stay index scans when several sessions share a timestamp.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  `create table secret_keys (
    id uuid primary key,
    tenant_id uuid not null references tenants (id),
    key_hash text not null unique,
    prefix text not null,
    label text not null,
    scopes jsonb not null default '[]' check (jsonb_typeof(scopes) = 'array'),
    status text not null default 'active' check (status in ('active', 'revoked')),
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    last_used_at timestamptz
  )`,
  'create index secret_keys_tenant on secret_keys (tenant_id, created_at)',
  'drop index sessions_customer',
  'create index sessions_customer on sessions (tenant_id, customer_id, created_at desc, id desc)',
];
