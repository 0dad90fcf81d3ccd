import { type Kysely, sql } from 'kysely';

// Standalone forms (DESIGN §8) and the files sent to them or to an `ask` node's file field.
//
// - forms: one per (tenant, code); the draft is the whole form file. Publishing snapshots it into an immutable
//   form_versions row and points published_version_id at it, as flows do.
// - form_submissions: the values as validated (coerced), with the version they were validated against and the key.
// - uploads: a file's metadata; its bytes live in the blob store under `storage_name` (random, never the client's
//   name). An upload belongs to exactly one form + key (form uploads) or one conversation + execution (chat uploads);
//   `submission_id` / `referenced_at` mark it as used, and unreferenced ones are removed once `expires_at` passes.
// - blobs: the database blob store (the default; the same on PGlite and across API nodes on PostgreSQL).
// - public_keys: a key's form scope is a list of codes or all forms, never both (none at all is fine).
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of script.split(/;\s*\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const script = `
    create table forms (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      code text not null check (code ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
      draft jsonb not null,
      published_version_id uuid,
      latest_version integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (tenant_id, code)
    );

    create table form_versions (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      form_id uuid not null references forms(id),
      version integer not null,
      definition jsonb not null,
      created_at timestamptz not null default now(),
      unique (form_id, version)
    );

    create table form_submissions (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      form_id uuid not null references forms(id),
      form_version_id uuid not null references form_versions(id),
      public_key_id uuid not null,
      origin text,
      "values" jsonb not null,
      metadata jsonb not null default '{}',
      created_at timestamptz not null default now()
    );
    create index form_submissions_form on form_submissions (tenant_id, form_id, created_at desc);

    create table uploads (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      public_key_id uuid,
      form_id uuid references forms(id),
      conversation_id uuid,
      execution_id uuid,
      field text not null,
      name text not null,
      storage_name text not null unique,
      size bigint not null check (size >= 0),
      content_type text not null,
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      submission_id uuid references form_submissions(id),
      referenced_at timestamptz,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      check ((form_id is not null and public_key_id is not null) or conversation_id is not null)
    );
    create index uploads_unreferenced on uploads (expires_at) where referenced_at is null;

    create table blobs (
      storage_name text primary key,
      tenant_id uuid not null,
      data bytea not null,
      created_at timestamptz not null default now()
    );

    alter table public_keys add constraint public_keys_form_scope_exclusive
      check (not (allows_all_forms and jsonb_array_length(allowed_forms) > 0));
`;
