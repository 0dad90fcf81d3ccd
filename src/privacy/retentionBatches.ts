import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.js';

/** One bounded delete of a tenant's raw rows older than `before`; answers how many rows went. */
export type RetentionBatch = (db: Kysely<Database>, tenantId: string, before: Date, limit: number) => Promise<number>;

const counted = async (query: ReturnType<typeof sql<{ n: number }>>, db: Kysely<Database>) =>
  Number((await query.execute(db)).rows[0]?.n ?? 0);

/**
 * The raw rows retention removes (DESIGN §12), each as one statement over at most `limit` rows (short locks; the
 * sweep repeats it). Transcript turns and telemetry events add their counts to `retained_counts` in the same
 * statement, so a total over an old period is the same before and after; uploads queue their bytes in `blob_purges`.
 * Webhook events go with their deliveries and delivery log (cascade) once no delivery of theirs is still open.
 */
export const retentionBatches: Record<'transcripts' | 'events' | 'uploads' | 'deliveryLogs', RetentionBatch> = {
  transcripts: (db, tenantId, before, limit) =>
    counted(
      sql<{ n: number }>`
        with gone as (
          delete from chat_turns where id in (
            select id from chat_turns where tenant_id = ${tenantId}::uuid and created_at < ${before}::timestamptz
            order by created_at limit ${limit})
          returning tenant_id, created_at, items
        ), counts as (
          insert into retained_counts (tenant_id, day, metric, dimension, count)
          select tenant_id, (created_at at time zone 'UTC')::date, m.metric, '', sum(m.n)
          from gone cross join lateral (values
            ('chat_turns', 1),
            ('user_messages', (select count(*) from jsonb_array_elements(gone.items) i where i->>'role' = 'user'))
          ) as m(metric, n)
          group by 1, 2, 3
          on conflict (tenant_id, day, metric, dimension)
          do update set count = retained_counts.count + excluded.count
        )
        select count(*)::int as n from gone`,
      db,
    ),
  events: (db, tenantId, before, limit) =>
    counted(
      sql<{ n: number }>`
        with gone as (
          delete from telemetry_events where id in (
            select id from telemetry_events where tenant_id = ${tenantId}::uuid
              and received_at < ${before}::timestamptz
            order by received_at limit ${limit})
          returning tenant_id, occurred_at, type
        ), counts as (
          insert into retained_counts (tenant_id, day, metric, dimension, count)
          select tenant_id, (occurred_at at time zone 'UTC')::date, 'telemetry_events', type, count(*)
          from gone group by 1, 2, 4
          on conflict (tenant_id, day, metric, dimension)
          do update set count = retained_counts.count + excluded.count
        )
        select count(*)::int as n from gone`,
      db,
    ),
  uploads: (db, tenantId, before, limit) =>
    counted(
      sql<{ n: number }>`
        with gone as (
          delete from uploads where id in (
            select id from uploads where tenant_id = ${tenantId}::uuid and created_at < ${before}::timestamptz
            order by created_at limit ${limit})
          returning tenant_id, storage_name
        ), queued as (
          insert into blob_purges (tenant_id, storage_name) select tenant_id, storage_name from gone
          on conflict do nothing
        )
        select count(*)::int as n from gone`,
      db,
    ),
  deliveryLogs: (db, tenantId, before, limit) =>
    counted(
      sql<{ n: number }>`
        with gone as (
          delete from webhook_events where id in (
            select e.id from webhook_events e where e.tenant_id = ${tenantId}::uuid
              and e.created_at < ${before}::timestamptz
              and not exists (select 1 from webhook_deliveries d where d.event_id = e.id
                and d.status in ('pending', 'sending'))
            order by e.created_at limit ${limit})
          returning id
        )
        select count(*)::int as n from gone`,
      db,
    ),
};
