import { type Kysely, sql } from 'kysely';

// Saved analytics reports, their runs, and the schedule table the worker's scheduler scans (DESIGN §13).
// `schedules` is generic: a report's schedule (tenant_id and report_id set) or a system housekeeping task (both null,
// named by `name`). The scheduler fires a schedule by moving its `next_run_at` forward on the condition that it still
// holds the time it read, so of many workers exactly one enqueues each run.
// A report's run is unique per (report, scheduled_for): a scheduled run's job that runs twice stores one row.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  `create table reports (
    id uuid primary key,
    tenant_id uuid not null references tenants (id),
    name text not null,
    definition jsonb not null,
    pin_position int,
    version int not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  'create index reports_tenant on reports (tenant_id, name)',
  // Pinned reports in dashboard order; two reports of a tenant never share a place.
  'create unique index reports_pinned on reports (tenant_id, pin_position) where pin_position is not null',
  `create table schedules (
    id uuid primary key,
    tenant_id uuid references tenants (id),
    report_id uuid unique references reports (id) on delete cascade,
    name text unique,
    task text not null,
    payload jsonb not null default '{}'::jsonb,
    cron text not null,
    time_zone text not null default 'UTC',
    enabled boolean not null default true,
    next_run_at timestamptz not null,
    last_run_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((report_id is null) = (tenant_id is null)),
    check ((report_id is null) <> (name is null))
  )`,
  'create index schedules_due on schedules (next_run_at) where enabled',
  `create table report_runs (
    id uuid primary key,
    tenant_id uuid not null references tenants (id),
    report_id uuid not null references reports (id) on delete cascade,
    trigger text not null check (trigger in ('manual', 'schedule', 'cli')),
    scheduled_for timestamptz,
    status text not null check (status in ('completed', 'failed')),
    definition jsonb not null,
    result jsonb,
    row_count int not null default 0,
    error text,
    started_at timestamptz not null,
    completed_at timestamptz not null default now()
  )`,
  'create index report_runs_report on report_runs (tenant_id, report_id, completed_at desc)',
  'create unique index report_runs_scheduled on report_runs (report_id, scheduled_for) where scheduled_for is not null',
];
