import { type Kysely, sql } from 'kysely';

// Analytics (DESIGN §13).
//
// `tenants.time_zone`: the IANA zone analytics buckets days, weeks and months in (validated by the admin API).
// `chat_turns.duration_ms`: the engine time of each turn, for the median turn latency (null on older rows).
// `conversations.page_type`: the first telemetry `pageType` seen in the conversation, set once by the event's
// insert, so the attribution survives the retention of the events themselves.
//
// `analytics_rollups`: sums per tenant × 15-minute bucket (UTC) × metric × dimensions. Fifteen minutes, not an hour,
// so that days in every IANA zone (India's +05:30, Nepal's +05:45) are whole numbers of buckets. `measure` keys
// distributions: the turn latency rows hold (duration in ms, number of turns) so the median is exact.
// Dimensions are '' when a metric has none (never null: they are part of the key).
//
// `analytics_dirty`: what changed since the rollups were computed, appended by triggers on the raw tables (append
// only, no unique key: concurrent turns never wait on each other's mark). A bucket, or a conversation whose buckets
// all changed (its page type arrived, a conversion was attributed to it), or neither: the whole tenant. The worker's sweep and each query recompute
// the marked buckets from the raw rows and delete exactly the marks they read (a mark committed meanwhile stays).
export async function up(db: Kysely<unknown>): Promise<void> {
  // PGlite's extended protocol takes one statement per query.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const BIN = `date_bin('15 minutes', %, timestamptz '2000-01-01 00:00:00+00')`;
const bin = (column: string) => BIN.replace('%', column);

/** A trigger function marking the bucket of `column` (of NEW), after an insert (and an update when `when` says). */
function marker(name: string, column: string): string {
  return `create function ${name}() returns trigger language plpgsql as $$
    begin
      insert into analytics_dirty (tenant_id, bucket) values (NEW.tenant_id, ${bin(`NEW.${column}`)});
      return null;
    end $$`;
}

const statements = [
  `alter table tenants add column time_zone text not null default 'UTC'`,
  'alter table chat_turns add column duration_ms integer',
  'alter table conversations add column page_type text',
  `create table analytics_rollups (
    tenant_id uuid not null references tenants (id),
    bucket timestamptz not null,
    metric text not null,
    flow_id text not null default '',
    public_key_id text not null default '',
    page_type text not null default '',
    model text not null default '',
    status text not null default '',
    currency text not null default '',
    measure bigint not null default 0,
    value bigint not null,
    primary key (tenant_id, bucket, metric, flow_id, public_key_id, page_type, model, status, currency, measure)
  )`,
  `create table analytics_dirty (
    id bigserial primary key,
    tenant_id uuid not null,
    bucket timestamptz,
    conversation_id uuid
  )`,
  // The recompute reads each source by tenant and time.
  'create index sessions_tenant_created on sessions (tenant_id, created_at)',
  'create index conversations_tenant_created on conversations (tenant_id, created_at)',
  'create index executions_tenant_created on executions (tenant_id, created_at)',
  'create index form_submissions_tenant_created on form_submissions (tenant_id, created_at)',
  marker('analytics_mark_created', 'created_at'),
  marker('analytics_mark_occurred', 'occurred_at'),
  // An execution counts in the bucket it started in; a status change moves it between statuses there.
  `create function analytics_mark_execution() returns trigger language plpgsql as $$
    begin
      if TG_OP = 'INSERT' or NEW.status is distinct from OLD.status then
        insert into analytics_dirty (tenant_id, bucket) values (NEW.tenant_id, ${bin('NEW.created_at')});
      end if;
      return null;
    end $$`,
  // A conversion counts where it occurred, and makes its conversation a converted one (bucketed by its start).
  `create function analytics_mark_conversion() returns trigger language plpgsql as $$
    begin
      insert into analytics_dirty (tenant_id, bucket) values (NEW.tenant_id, ${bin('NEW.occurred_at')});
      if TG_OP = 'UPDATE' then
        insert into analytics_dirty (tenant_id, bucket) values (OLD.tenant_id, ${bin('OLD.occurred_at')});
        if OLD.conversation_id is not null and OLD.conversation_id is distinct from NEW.conversation_id then
          insert into analytics_dirty (tenant_id, conversation_id) values (OLD.tenant_id, OLD.conversation_id);
        end if;
      end if;
      if NEW.conversation_id is not null then
        insert into analytics_dirty (tenant_id, conversation_id) values (NEW.tenant_id, NEW.conversation_id);
      end if;
      return null;
    end $$`,
  // The first page type of a conversation is its page type; everything of the conversation moves to it.
  `create function analytics_page_type() returns trigger language plpgsql as $$
    begin
      if NEW.page_type is not null and NEW.conversation_id is not null then
        update conversations set page_type = NEW.page_type
        where id = NEW.conversation_id and tenant_id = NEW.tenant_id and page_type is null;
        if found then
          insert into analytics_dirty (tenant_id, conversation_id) values (NEW.tenant_id, NEW.conversation_id);
        end if;
      end if;
      return null;
    end $$`,
  'create trigger analytics_mark after insert on sessions for each row execute function analytics_mark_created()',
  'create trigger analytics_mark after insert on conversations for each row execute function analytics_mark_created()',
  'create trigger analytics_mark after insert on chat_turns for each row execute function analytics_mark_created()',
  'create trigger analytics_mark after insert on goal_hits for each row execute function analytics_mark_created()',
  'create trigger analytics_mark after insert on llm_calls for each row execute function analytics_mark_created()',
  'create trigger analytics_mark after insert on form_submissions for each row execute function analytics_mark_created()',
  `create trigger analytics_mark after insert or update of status on executions
    for each row execute function analytics_mark_execution()`,
  `create trigger analytics_mark after insert or update on conversions
    for each row execute function analytics_mark_conversion()`,
  `create trigger analytics_page_type after insert on telemetry_events
    for each row execute function analytics_page_type()`,
  // Conversations that already have events get their page type now.
  `update conversations c set page_type = (
      select e.page_type from telemetry_events e
      where e.conversation_id = c.id and e.tenant_id = c.tenant_id and e.page_type is not null
      order by e.occurred_at, e.id limit 1)
    where exists (select 1 from telemetry_events e where e.conversation_id = c.id and e.page_type is not null)`,
  // A mark without bucket nor conversation rebuilds the tenant (within its retention window): the first sweep builds
  // the rollups of existing data.
  'insert into analytics_dirty (tenant_id) select id from tenants',
];
