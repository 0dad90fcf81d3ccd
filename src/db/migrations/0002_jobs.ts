import { type Kysely, sql } from 'kysely';

// The embedded job queue (PGlite) and what async waits need on executions.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of script.split(/;\s*\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const script = `
    create table jobs (
      id bigint generated always as identity primary key,
      task text not null,
      payload jsonb not null,
      job_key text unique,
      run_at timestamptz not null default now(),
      attempts integer not null default 0,
      max_attempts integer not null default 25,
      locked_by text,
      locked_until timestamptz,
      last_error text,
      failed_at timestamptz,
      created_at timestamptz not null default now()
    );
    create index jobs_ready on jobs (run_at, id) where failed_at is null;

    create table worker_heartbeats (
      worker_id text primary key,
      heartbeat_at timestamptz not null default now()
    );

    alter table waits add column resume_at timestamptz;
    alter table executions add column active_ms integer not null default 0;
    create index executions_waiting_time on executions (updated_at) where status = 'waiting_time';
    create index executions_running on executions (updated_at) where status = 'running';
`;
