import { type Kysely, sql } from 'kysely';
import { json } from '../db/json.js';
import type { Database } from '../db/types.js';
import { type RollupWindow, recomputeWindows } from './recomputeWindows.js';

/** Marks read per pass: bounds one transaction's work; the caller repeats while there are more. */
const BATCH = 5000;
/**
 * How long a bucket's marks outlive the bucket's start: its 15 minutes, then 10 more, well past the one minute after
 * its end in which a trigger may still skip it for an existing mark (migration 0023).
 */
const KEEP = '25 minutes';
/** One recompute at a time across processes (two would insert the same rollup rows). */
const LOCK_ID = 7_201_021;

/**
 * Brings the rollups up to date with the marks the raw tables' triggers left (migrations 0021, 0023): each marked
 * bucket, each bucket of a marked conversation, or a whole tenant (within its retention period) is recomputed from
 * the raw rows, and the marks read are deleted in the same transaction (a mark committed meanwhile stays for the next
 * pass) — except a bucket's marks while the bucket is open or just closed (`KEEP`): the triggers skip a bucket that
 * already has a mark, so the mark must outlive every row written into the bucket, and the bucket is recomputed on
 * each pass until then. Called by the worker's sweep and before each analytics query. Answers the marks it consumed.
 */
export async function refreshRollups(db: Kysely<Database>, options: { tenantId?: string } = {}): Promise<number> {
  let consumed = 0;
  // Kept marks stay in the table: read past them (by id) so one pass visits each mark once.
  let after = 0;
  for (;;) {
    const pass = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${LOCK_ID})`.execute(trx);
      let q = trx
        .selectFrom('analytics_dirty')
        .select(['id', 'tenant_id', 'bucket', 'conversation_id'])
        .where('id', '>', after);
      if (options.tenantId) q = q.where('tenant_id', '=', options.tenantId);
      const marks = await q.orderBy('id').limit(BATCH).execute();
      if (marks.length === 0) return { read: 0, deleted: 0, last: after };
      await recomputeWindows(trx, await windowsOf(trx, marks));
      const deleted = await sql`
        delete from analytics_dirty where id in (${sql.join(marks.map((m) => m.id))})
          and (bucket is null or bucket < now() - ${KEEP}::interval)`.execute(trx);
      return {
        read: marks.length,
        deleted: Number(deleted.numAffectedRows ?? 0),
        last: Number(marks.at(-1)?.id ?? after),
      };
    });
    consumed += pass.deleted;
    after = pass.last;
    if (pass.read < BATCH) return consumed;
  }
}

interface Mark {
  tenant_id: string;
  bucket: Date | null;
  conversation_id: string | null;
}

/** The windows to recompute for marks: a whole tenant subsumes its other marks; buckets are distinct. */
async function windowsOf(trx: Kysely<Database>, marks: readonly Mark[]): Promise<RollupWindow[]> {
  const whole = new Set(marks.filter((m) => !m.bucket && !m.conversation_id).map((m) => m.tenant_id));
  const windows: RollupWindow[] = [];
  for (const tenantId of whole) windows.push(await tenantWindow(trx, tenantId));
  const buckets = new Map<string, { tenant_id: string; bucket: Date }>();
  for (const m of marks) {
    if (m.bucket && !whole.has(m.tenant_id))
      buckets.set(`${m.tenant_id}|${new Date(m.bucket).toISOString()}`, { tenant_id: m.tenant_id, bucket: m.bucket });
  }
  const conversations = marks.filter((m) => m.conversation_id && !whole.has(m.tenant_id));
  if (conversations.length > 0) {
    const pairs = json(conversations.map((m) => ({ tenant_id: m.tenant_id, conversation_id: m.conversation_id })));
    const rows = await sql<{ tenant_id: string; bucket: Date }>`
      with m as (select distinct x.tenant_id, x.conversation_id
        from jsonb_to_recordset(${pairs}::jsonb) as x(tenant_id uuid, conversation_id uuid))
      select distinct a.tenant_id, date_bin('15 minutes', a.at, timestamptz '2000-01-01 00:00:00+00') as bucket from (
        select c.tenant_id, c.created_at as at from m join conversations c on c.id = m.conversation_id and c.tenant_id = m.tenant_id
        union all select s.tenant_id, s.created_at from m join sessions s on s.conversation_id = m.conversation_id and s.tenant_id = m.tenant_id
        union all select e.tenant_id, e.created_at from m join executions e on e.conversation_id = m.conversation_id and e.tenant_id = m.tenant_id
        union all select t.tenant_id, t.created_at from m join chat_turns t on t.conversation_id = m.conversation_id and t.tenant_id = m.tenant_id
        union all select g.tenant_id, g.created_at from m join goal_hits g on g.conversation_id = m.conversation_id and g.tenant_id = m.tenant_id
        union all select v.tenant_id, v.occurred_at from m join conversions v on v.conversation_id = m.conversation_id and v.tenant_id = m.tenant_id
        union all select l.tenant_id, l.created_at from m join executions e on e.conversation_id = m.conversation_id and e.tenant_id = m.tenant_id
          join llm_calls l on l.execution_id = e.id
      ) a`.execute(trx);
    for (const r of rows.rows) buckets.set(`${r.tenant_id}|${new Date(r.bucket).toISOString()}`, r);
  }
  for (const { tenant_id, bucket } of buckets.values()) {
    const lo = new Date(bucket);
    windows.push({ tenant_id, lo: lo.toISOString(), hi: new Date(lo.getTime() + 15 * 60_000).toISOString() });
  }
  return windows;
}

/**
 * A whole tenant, from its first bucket wholly inside the retention period (everything without retention): what
 * `analytics:rebuild` recomputes. Rollup rows before it are kept — retention removed their raw rows, not their counts.
 */
export async function tenantWindow(trx: Kysely<Database>, tenantId: string): Promise<RollupWindow> {
  const row = await sql<{ lo: string }>`
    select coalesce(to_char((date_bin('15 minutes', now() - retention_days * interval '1 day',
      timestamptz '2000-01-01 00:00:00+00') + interval '15 minutes') at time zone 'UTC',
      'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '-infinity') as lo
    from tenants where id = ${tenantId}::uuid`.execute(trx);
  return { tenant_id: tenantId, lo: row.rows[0]?.lo ?? '-infinity', hi: 'infinity' };
}
