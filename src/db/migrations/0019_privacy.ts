import { type Kysely, sql } from 'kysely';

// Retention and privacy (DESIGN §12).
//
// `tenants.retention_days`: how long raw transcripts, telemetry events, uploads and webhook delivery logs are kept
// (null: kept until deleted). The worker's sweep deletes older rows in bounded batches; before telemetry events and
// transcript turns go, their counts are added to `retained_counts` (UTC day × metric × dimension) in the same
// statement, so totals over old periods do not change when the raw rows are gone.
//
// `form_submissions.customer_id`: a standalone form has no session, so a submission is tied to a customer only when
// the embed says whose it is (`metadata.customerId`); export and deletion find it through this column.
//
// `blob_purges`: uploaded bytes of a deleted customer (or of expired uploads) that still have to be removed from the
// blob store, written in the deletion's transaction. The store may be a directory, outside any transaction, so the
// bytes go after the commit and the row only once they are gone: a crash in between leaves work the sweep resumes,
// never bytes nobody knows about.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  'alter table tenants add column retention_days integer check (retention_days between 1 and 36500)',
  'alter table form_submissions add column customer_id text',
  `create index form_submissions_customer on form_submissions (tenant_id, customer_id)
    where customer_id is not null`,
  `create table blob_purges (
    tenant_id uuid not null,
    storage_name text not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, storage_name)
  )`,
  `create table retained_counts (
    tenant_id uuid not null references tenants (id),
    day date not null,
    metric text not null,
    dimension text not null default '',
    count bigint not null,
    primary key (tenant_id, day, metric, dimension)
  )`,
  // The sweep walks each retaining tenant's rows by age.
  'create index chat_turns_tenant_created on chat_turns (tenant_id, created_at)',
  'create index telemetry_events_tenant_received on telemetry_events (tenant_id, received_at)',
  'create index uploads_tenant_created on uploads (tenant_id, created_at)',
  'create index webhook_events_tenant_created on webhook_events (tenant_id, created_at)',
];
