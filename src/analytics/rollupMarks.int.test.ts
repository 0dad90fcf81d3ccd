import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, Widget } from '../../test/support/fixtures.js';
import { createTestApp, type TestApp } from '../../test/support/testApp.js';
import { refreshRollups } from './refreshRollups.js';

// Rollup upkeep costs a chat turn a lookup, not a write (migration 0023): an open bucket that already has a mark gets
// no second one, the sweep keeps an open bucket's marks and recomputes it on every pass, and a closed bucket always
// marks. Without the worker, so only this test's refreshRollups calls consume marks.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const bucketOf = (column: string) => sql.raw(`date_bin('15 minutes', ${column}, timestamptz '2000-01-01 00:00:00+00')`);

async function marks(tenantId: string) {
  const rows = await sql<{ bucket: Date | null; n: number }>`
    select bucket, count(*)::int as n from analytics_dirty where tenant_id = ${tenantId}::uuid
    group by bucket order by bucket`.execute(t.ctx.kysely);
  return rows.rows.map((r) => [r.bucket ? new Date(r.bucket).toISOString() : null, r.n]);
}

/** The distinct buckets the tenant's rows of a turn were written in (a run may straddle a quarter hour). */
async function bucketsWritten(tenantId: string) {
  const rows = await sql<{ bucket: Date }>`
    select distinct b as bucket from (
      select ${bucketOf('created_at')} as b from sessions where tenant_id = ${tenantId}::uuid
      union all select ${bucketOf('created_at')} from conversations where tenant_id = ${tenantId}::uuid
      union all select ${bucketOf('created_at')} from executions where tenant_id = ${tenantId}::uuid
      union all select ${bucketOf('created_at')} from chat_turns where tenant_id = ${tenantId}::uuid
    ) x order by 1`.execute(t.ctx.kysely);
  return rows.rows.map((r) => [new Date(r.bucket).toISOString(), 1]);
}

async function sessionsCounted(tenantId: string): Promise<number> {
  const row = await sql<{ n: number }>`
    select coalesce(sum(value), 0)::int as n from analytics_rollups
    where tenant_id = ${tenantId}::uuid and metric = 'sessions'`.execute(t.ctx.kysely);
  return row.rows[0]?.n ?? 0;
}

describe('rollup marks', () => {
  it('mark an open bucket once, keep its marks through the sweep and recompute it on every pass', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    expect((await w.open(key.key)).status).toBe(201);
    const turn = await w.trigger('order_status');
    expect(turn.status).toBe(200);
    expect((await w.resume(turn, { order_number: '12345' })).status).toBe(200);
    // A session, a conversation, an execution with two status changes and two transcript rows: one mark per bucket.
    expect(await marks(tenant.id)).toEqual(await bucketsWritten(tenant.id));

    await refreshRollups(t.ctx.kysely, { tenantId: tenant.id });
    expect(await sessionsCounted(tenant.id)).toBe(1);
    // The open bucket keeps its mark, so the next session needs none and is counted by the next pass.
    expect(await marks(tenant.id)).toEqual(await bucketsWritten(tenant.id));
    expect((await new Widget(t.app).open(key.key)).status).toBe(201);
    expect(await marks(tenant.id)).toEqual(await bucketsWritten(tenant.id));
    await refreshRollups(t.ctx.kysely, { tenantId: tenant.id });
    expect(await sessionsCounted(tenant.id)).toBe(2);
  });

  it('always mark a closed bucket, and let the sweep drop its marks once recomputed', async () => {
    const { tenant, key } = await seedTenant(t.ctx);
    const w = new Widget(t.app);
    expect((await w.open(key.key)).status).toBe(201);
    const turn = await w.trigger('order_status');
    expect(turn.status).toBe(200);
    const executionId = String(turn.body.executionId);
    // The execution started two hours ago (moving created_at marks nothing) and its bucket is already marked.
    await sql`update executions set created_at = now() - interval '2 hours' where id = ${executionId}::uuid`.execute(
      t.ctx.kysely,
    );
    await sql`insert into analytics_dirty (tenant_id, bucket)
      select tenant_id, ${bucketOf('created_at')} from executions where id = ${executionId}::uuid`.execute(
      t.ctx.kysely,
    );
    const old = await sql<{ bucket: Date }>`
      select ${bucketOf('created_at')} as bucket from executions where id = ${executionId}::uuid`.execute(t.ctx.kysely);
    const oldBucket = new Date(old.rows[0]!.bucket).toISOString();
    const before = (await marks(tenant.id)).find(([b]) => b === oldBucket);
    expect(before).toEqual([oldBucket, 1]);

    // A status change in the closed bucket marks it again, existing mark or not.
    await sql`update executions set status = 'aborted' where id = ${executionId}::uuid`.execute(t.ctx.kysely);
    expect((await marks(tenant.id)).find(([b]) => b === oldBucket)).toEqual([oldBucket, 2]);

    await refreshRollups(t.ctx.kysely, { tenantId: tenant.id });
    const after = await marks(tenant.id);
    expect(after.find(([b]) => b === oldBucket)).toBeUndefined();
    // The open buckets' marks stay.
    expect(after.length).toBeGreaterThan(0);
    const aborted = await sql<{ n: number }>`
      select coalesce(sum(value), 0)::int as n from analytics_rollups
      where tenant_id = ${tenant.id}::uuid and bucket = ${oldBucket}::timestamptz and metric = 'executions'
        and status = 'aborted'`.execute(t.ctx.kysely);
    expect(aborted.rows[0]?.n).toBe(1);
  });
});
