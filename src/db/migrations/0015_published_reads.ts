import { type Kysely, sql } from 'kysely';

// Published reads (DESIGN §9) and usage metering.
//
// - quick_questions: prompts the widget shows before a session, ordered by (position, id); no page types = every page.
// - config_sections: a tenant's widget settings by section; only `public` ones are readable by widgets.
// - edge_documents: immutable snapshots built by `widget-settings:publish` (and by publishing a form): quick questions,
//   public config sections and published form schemas, with their content hash. Reads serve the newest one.
// - usage_counters: per key × UTC day × kind, added to in batches by each process's meter (never one write per read).
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of script.split(/;\s*\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const script = `
    create table quick_questions (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      text text not null,
      intent_name text,
      page_types jsonb not null default '[]' check (jsonb_typeof(page_types) = 'array'),
      position integer not null default 0,
      created_at timestamptz not null default now()
    );
    create index quick_questions_tenant on quick_questions (tenant_id, position, id);

    create table config_sections (
      tenant_id uuid not null references tenants(id),
      section text not null check (section ~ '^[a-z][a-z0-9_]{0,63}$'),
      "values" jsonb not null check (jsonb_typeof("values") = 'object'),
      public boolean not null default false,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, section)
    );

    create table edge_documents (
      id uuid primary key,
      tenant_id uuid not null references tenants(id),
      content_hash text not null,
      document jsonb not null,
      created_at timestamptz not null default now()
    );
    create index edge_documents_latest on edge_documents (tenant_id, created_at desc, id desc);

    create table usage_counters (
      tenant_id uuid not null,
      public_key_id uuid not null,
      day date not null,
      kind text not null,
      count bigint not null check (count >= 0),
      primary key (public_key_id, day, kind)
    );
    create index usage_counters_tenant on usage_counters (tenant_id, day);
`;
