import { type Kysely, sql } from 'kysely';

// Connections (DESIGN §5): named outbound endpoints of a tenant. Only non-secret auth settings are readable
// (auth_config); the secret is AES-256-GCM ciphertext under a key derived from the master key.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query, so the script runs statement by statement.
  for (const statement of script.split(/;\s*\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const script = `
    create table connections (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      name text not null check (name ~ '^[a-z][a-z0-9_-]{0,63}$'),
      type text not null check (type in ('http', 'openai')),
      base_url text not null,
      auth_type text not null
        check (auth_type in ('none', 'header', 'bearer', 'basic', 'oauth2_client_credentials')),
      auth_config jsonb not null default '{}',
      secret_ciphertext text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (tenant_id, name),
      check ((auth_type = 'none') = (secret_ciphertext is null))
    );
`;
