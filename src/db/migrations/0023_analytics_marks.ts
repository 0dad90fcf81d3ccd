import { type Kysely, sql } from 'kysely';

// Rollup upkeep at the cost of a lookup, not a write, per chat turn (issue 21; measured in bench/results).
// Migration 0021's triggers appended a mark for every row a turn writes (its execution, status changes, transcript
// rows, session and conversation): five inserts into `analytics_dirty` per turn pair, and the turn pair lost ~15 %.
// A bucket that is still open and already marked needs no second mark, because the sweep now keeps the marks of a
// bucket until 25 minutes after it opened (10 after it closed) and recomputes it on every pass until then
// (src/analytics/refreshRollups.ts). A trigger skips only while its bucket is at most a minute past its end (by the
// clock, not the transaction's start), so a row skipped for an existing mark would have to stay uncommitted for nine
// minutes to miss the bucket's last recompute. Closed buckets (late status changes, past `occurredAt`s) always mark.
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const BIN = `date_bin('15 minutes', at, timestamptz '2000-01-01 00:00:00+00')`;

const statements = [
  'create index analytics_dirty_tenant_bucket on analytics_dirty (tenant_id, bucket)',
  `create function analytics_mark_bucket(tenant uuid, at timestamptz) returns void language plpgsql as $$
    declare
      b timestamptz := ${BIN};
    begin
      if clock_timestamp() < b + interval '16 minutes'
        and exists (select 1 from analytics_dirty d where d.tenant_id = tenant and d.bucket = b) then
        return;
      end if;
      insert into analytics_dirty (tenant_id, bucket) values (tenant, b);
    end $$`,
  `create or replace function analytics_mark_created() returns trigger language plpgsql as $$
    begin
      perform analytics_mark_bucket(NEW.tenant_id, NEW.created_at);
      return null;
    end $$`,
  `create or replace function analytics_mark_execution() returns trigger language plpgsql as $$
    begin
      if TG_OP = 'INSERT' or NEW.status is distinct from OLD.status then
        perform analytics_mark_bucket(NEW.tenant_id, NEW.created_at);
      end if;
      return null;
    end $$`,
];
